using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.Simulator;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.Benchmarks;

internal sealed record AlarmLatencyOptions(int Sensors, double Rate, int Crossings, int IntervalMs, int BatchSize, int Concurrency)
{
    public static AlarmLatencyOptions Parse(string[] args)
    {
        var o = new AlarmLatencyOptions(5_000, 5_000, 300, 100, 500, 2);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            o = args[i] switch
            {
                "--sensors" => o with { Sensors = int.Parse(value, CultureInfo.InvariantCulture) },
                "--rate" => o with { Rate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--crossings" => o with { Crossings = int.Parse(value, CultureInfo.InvariantCulture) },
                "--interval-ms" => o with { IntervalMs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => o with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// From the 202 of a reading that crosses a high limit to a hub client's receipt of the raised alarm, while a
/// background load of readings flows through the same ingest path and a fleet-wide rule evaluates every one of them.
/// Each crossing is on its own probe sensor with its own rule, so no binding chatters and every crossing raises a new alarm.
/// </summary>
internal sealed class AlarmLatencyBenchmark(AlarmLatencyOptions options)
{
    private const double ProbeHigh = 100;
    private const double FleetHigh = 140;

    public async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-alarm-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }
        var cluster = await CityOps.Web.Data.LocalPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            var port = IngestBenchmark.FreePort();
            await using var app = new IngestBenchmark.BenchmarkApp(cluster.ConnectionString);
            app.UseKestrel(port);
            app.StartServer();
            var baseUrl = $"http://127.0.0.1:{port}";
            var fleet = SyntheticFleet.Create(options.Sensors + options.Crossings, 42);
            await IngestBenchmark.RegisterAsync(app.Services, fleet);
            var engine = app.Services.GetRequiredService<AlertEngineService>();
            await engine.Ready;
            await engine.ReloadSensorsAsync();
            var key = (await app.Services.GetRequiredService<ApiKeyService>().CreateAsync("alarm benchmark", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
            var keys = fleet.Sensors.Select(s => s.Key).ToArray();
            var probes = keys[^options.Crossings..];
            var background = keys[..^options.Crossings];

            var rules = app.Services.GetRequiredService<AlertRuleStore>();
            var rationale = new Rationalisation("Overheating", "Damage", "Reduce load", TimeSpan.FromMinutes(10));
            await rules.SaveAsync(new AlertRuleDefinition("bench.fleet.high", "Fleet high temperature", new RuleScope(SiteKey: SyntheticFleet.SiteKey),
                new LimitParameters { High = FleetHigh, Deadband = 2 }, AlarmPriority.Medium, "Temperature high", rationale, []), "bench", null, CancellationToken.None);
            foreach (var probe in probes)
            {
                await rules.SaveAsync(new AlertRuleDefinition($"bench.probe.{probe}", $"Probe {probe}", new RuleScope(SensorKey: probe),
                    new LimitParameters { High = ProbeHigh, Deadband = 2 }, AlarmPriority.High, "Probe above its limit", rationale, []), "bench", null, CancellationToken.None);
            }

            var receipts = new ConcurrentDictionary<string, long>();
            await using var hub = new HubConnectionBuilder().WithUrl(baseUrl + TelemetryHub.Path, o => o.Headers["X-Api-Key"] = key).Build();
            hub.On<JsonElement[]>(TelemetryHub.AlarmsMethod, batch =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var alarm in batch)
                {
                    if (alarm.GetProperty("state").GetString() == "ActiveUnacknowledged" && alarm.GetProperty("sensorKey").GetString() is { } sensor)
                    {
                        receipts.TryAdd(sensor, now);
                    }
                }
            });
            await hub.StartAsync();
            await hub.InvokeAsync("SubscribeAlarms", (string?)null);

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency + 2 }) { BaseAddress = new Uri(baseUrl) };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            Console.WriteLine($"{Environment.ProcessorCount} cores; {background.Length:N0} background sensors at {options.Rate:N0} readings/s " +
                $"(batches of {options.BatchSize}, {options.Concurrency} in flight) under one fleet rule; {options.Crossings} probe crossings every {options.IntervalMs} ms");

            // Each probe first reports a normal value so its binding has seen the sensor below the limit.
            await PostAsync(http, probes.Select(p => (p, 20.0)).ToArray());

            using var stop = new CancellationTokenSource();
            var load = RunLoadAsync(http, background, stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var acks = new Dictionary<string, long>();
            var failed = 0;
            foreach (var probe in probes)
            {
                var status = await PostAsync(http, [(probe, ProbeHigh + 20)]);
                if (status == 202)
                {
                    acks[probe] = Stopwatch.GetTimestamp();
                }
                else
                {
                    failed++;
                }
                await Task.Delay(options.IntervalMs);
            }
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
            while (acks.Keys.Any(p => !receipts.ContainsKey(p)) && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(50);
            }
            await stop.CancelAsync();
            var (backgroundSent, elapsed) = await load;

            var latencies = acks.Where(a => receipts.ContainsKey(a.Key))
                .Select(a => Math.Max(0, Stopwatch.GetElapsedTime(a.Value, receipts[a.Key]).TotalMilliseconds))
                .Order()
                .ToList();
            var missing = acks.Count - latencies.Count;
            Console.WriteLine($"background load: {backgroundSent / elapsed.TotalSeconds:N0} readings/s accepted over {elapsed.TotalSeconds:F0} s; engine dropped batches: {engine.DroppedBatches}");
            Console.WriteLine($"202 -> hub client alarm latency over {latencies.Count} crossings: p50 {Percentile(latencies, 0.5):F1} ms, " +
                $"p99 {Percentile(latencies, 0.99):F1} ms, max {latencies.LastOrDefault():F1} ms; {missing} not received, {failed} not accepted (target p99 <= 500 ms)");
            return missing == 0 && failed == 0 ? 0 : 1;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<(long Sent, TimeSpan Elapsed)> RunLoadAsync(HttpClient http, string[] keys, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        long nextBatch = -1;
        long sent = 0;
        long nextSensor = 0;
        async Task Worker()
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = Interlocked.Increment(ref nextBatch);
                var wait = TimeSpan.FromSeconds(batch * options.BatchSize / options.Rate) - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
                var items = new (string, double)[options.BatchSize];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = (keys[Interlocked.Increment(ref nextSensor) % keys.Length], 20 + (batch + i) % 17);
                }
                if (await PostAsync(http, items) == 202)
                {
                    Interlocked.Add(ref sent, items.Length);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(Worker)));
        return (sent, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<int> PostAsync(HttpClient http, (string Key, double Value)[] items)
    {
        var ts = DateTime.UtcNow;
        ts = new DateTime(ts.Ticks - ts.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        var stamp = ts.ToString("O", CultureInfo.InvariantCulture);
        var body = new StringBuilder(items.Length * 80).Append('[');
        for (var i = 0; i < items.Length; i++)
        {
            body.Append(i == 0 ? "" : ",").Append("{\"sensor\":\"").Append(items[i].Key).Append("\",\"ts\":\"").Append(stamp)
                .Append("\",\"value\":").Append(items[i].Value.ToString(CultureInfo.InvariantCulture)).Append('}');
        }
        using var response = await http.PostAsync("/api/v1/readings", new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json"));
        return (int)response.StatusCode;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
