using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using CityOps.Simulator;
using CityOps.Simulator.World;
using CityOps.Web.Data;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.Benchmarks;

internal sealed record LiveBenchmarkOptions(int Sensors, double MaxRate, int Seconds, int Clients, int SensorsPerClient, int BatchSize, int Concurrency)
{
    public static LiveBenchmarkOptions Parse(string[] args)
    {
        var o = new LiveBenchmarkOptions(10_000, 50_000, 15, 200, 50, 500, 4);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            o = args[i] switch
            {
                "--sensors" => o with { Sensors = int.Parse(value, CultureInfo.InvariantCulture) },
                "--max-rate" => o with { MaxRate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--seconds" => o with { Seconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--clients" => o with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => o with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// Live path end to end on one private cluster: readings posted over HTTP at a paced rate, aggregates received by
/// SignalR clients of the telemetry hub. Latency is from the 202 of the post that carried a reading to the first
/// receipt of an aggregate whose lastTs is that reading's time (a receipt before the 202 counts as 0). CPU is the
/// whole process's CPU time (server, load generator and hub clients are one process here) per 1,000 accepted readings.
/// The rate is the highest the machine sustained in a calibration run with no clients, capped at --max-rate.
/// </summary>
internal sealed class LiveBenchmark(LiveBenchmarkOptions options)
{
    public async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-live-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }
        var cluster = await LocalPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            var port = IngestBenchmark.FreePort();
            await using var app = new IngestBenchmark.BenchmarkApp(cluster.ConnectionString);
            app.UseKestrel(port);
            app.StartServer();
            var baseUrl = $"http://127.0.0.1:{port}";
            var fleet = SyntheticFleet.Create(options.Sensors, 42);
            await IngestBenchmark.RegisterAsync(app.Services, fleet);
            var key = (await app.Services.GetRequiredService<ApiKeyService>().CreateAsync("live benchmark", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
            var keys = fleet.Sensors.Select(s => s.Key).ToArray();
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency * 2 }) { BaseAddress = new Uri(baseUrl) };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            Console.WriteLine($"{Environment.ProcessorCount} cores, {options.Sensors:N0} sensors, batches of {options.BatchSize}, {options.Concurrency} posts in flight, {options.Seconds} s per phase");

            var calibration = await FeedAsync(http, keys, options.MaxRate, TimeSpan.FromSeconds(Math.Min(10, options.Seconds)), null);
            var rate = Math.Min(options.MaxRate, Math.Floor(calibration.Achieved * 0.9 / 1000) * 1000);
            Console.WriteLine($"calibration: offered {options.MaxRate:N0}/s, sustained {calibration.Achieved:N0}/s -> phases run at {rate:N0} readings/s");

            var none = await FeedAsync(http, keys, rate, TimeSpan.FromSeconds(options.Seconds), null);
            Console.WriteLine($"0 clients:   achieved {none.Achieved,8:N0}/s, CPU {none.CpuMsPer1000:F1} ms per 1,000 readings");
            var one = await WithClientsAsync(baseUrl, key, keys, 1, http, rate);
            var many = await WithClientsAsync(baseUrl, key, keys, options.Clients, http, rate);
            Console.WriteLine($"p99({options.Clients})/p99(1) = {many.P99 / Math.Max(one.P99, 0.001):F2} (target <= 1.5); p99 target <= 200 ms");
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<(double P50, double P99)> WithClientsAsync(string baseUrl, string key, string[] keys, int clients, HttpClient http, double rate)
    {
        var receipts = new ConcurrentDictionary<(string, long), long>();
        var connections = new List<HubConnection>();
        var subscribed = new HashSet<string>();
        try
        {
            for (var c = 0; c < clients; c++)
            {
                var connection = new HubConnectionBuilder()
                    .WithUrl(baseUrl + TelemetryHub.Path, o => o.Headers["X-Api-Key"] = key)
                    .Build();
                connection.On<SensorAggregate[]>(TelemetryHub.AggregatesMethod, batch =>
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var a in batch)
                    {
                        receipts.TryAdd((a.Sensor, a.LastTs.Ticks), now);
                    }
                });
                await connection.StartAsync();
                var mine = Enumerable.Range(c * options.SensorsPerClient % keys.Length, options.SensorsPerClient).Select(i => keys[i % keys.Length]).ToArray();
                await connection.InvokeAsync("SubscribeSensors", mine);
                subscribed.UnionWith(mine);
                connections.Add(connection);
            }
            var result = await FeedAsync(http, keys, rate, TimeSpan.FromSeconds(options.Seconds), subscribed);
            // Aggregates of the last posts are at most one flush behind.
            await Task.Delay(500);
            var latencies = new List<double>();
            var early = 0;
            foreach (var (reading, acked) in result.Acks!)
            {
                if (receipts.TryGetValue(reading, out var received))
                {
                    var ms = Stopwatch.GetElapsedTime(acked, received).TotalMilliseconds;
                    early += received < acked ? 1 : 0;
                    latencies.Add(received < acked ? 0 : ms);
                }
            }
            latencies.Sort();
            var p50 = Percentile(latencies, 0.5);
            var p99 = Percentile(latencies, 0.99);
            Console.WriteLine($"{clients} client(s) x {options.SensorsPerClient} sensors: achieved {result.Achieved,8:N0}/s, CPU {result.CpuMsPer1000:F1} ms per 1,000 readings; " +
                $"202 -> client latency p50 {p50:F1} ms, p99 {p99:F1} ms over {latencies.Count:N0} matched readings ({early:N0} arrived before their 202)");
            return (p50, p99);
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed record FeedResult(double Achieved, double CpuMsPer1000, ConcurrentDictionary<(string, long), long>? Acks);

    /// <summary>Posts readings round-robin over the sensors, paced to <paramref name="rate"/>, with the send time as reading time.</summary>
    private async Task<FeedResult> FeedAsync(HttpClient http, string[] keys, double rate, TimeSpan duration, HashSet<string>? track)
    {
        var acks = track is null ? null : new ConcurrentDictionary<(string, long), long>();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        long nextBatch = -1;
        long accepted = 0;
        long nextSensor = 0;
        async Task Worker()
        {
            while (true)
            {
                var batch = Interlocked.Increment(ref nextBatch);
                var due = TimeSpan.FromSeconds(batch * options.BatchSize / rate);
                if (due >= duration)
                {
                    return;
                }
                var wait = due - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                var ts = DateTime.UtcNow;
                ts = new DateTime(ts.Ticks - ts.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
                var items = new (string Key, long Ticks)[options.BatchSize];
                var body = new StringBuilder(options.BatchSize * 80).Append('[');
                for (var i = 0; i < items.Length; i++)
                {
                    var k = keys[Interlocked.Increment(ref nextSensor) % keys.Length];
                    items[i] = (k, ts.Ticks);
                    body.Append(i == 0 ? "" : ",").Append("{\"sensor\":\"").Append(k).Append("\",\"ts\":\"").Append(ts.ToString("O", CultureInfo.InvariantCulture))
                        .Append("\",\"value\":").Append((20 + (batch + i) % 17).ToString(CultureInfo.InvariantCulture)).Append('}');
                }
                using var response = await http.PostAsync("/api/v1/readings", new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json"));
                var acked = Stopwatch.GetTimestamp();
                if ((int)response.StatusCode != 202)
                {
                    continue;
                }
                Interlocked.Add(ref accepted, items.Length);
                if (acks is not null)
                {
                    foreach (var item in items)
                    {
                        if (track!.Contains(item.Key))
                        {
                            acks.TryAdd(item, acked);
                        }
                    }
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(Worker)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return new FeedResult(accepted / elapsed.TotalSeconds, accepted == 0 ? double.NaN : cpu.TotalMilliseconds / accepted * 1000, acks);
    }
}
