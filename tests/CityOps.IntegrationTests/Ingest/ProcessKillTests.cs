using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using CityOps.IntegrationTests.Infrastructure;
using Npgsql;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>The application killed with SIGKILL right after acknowledging: nothing acknowledged may be lost.</summary>
public sealed class ProcessKillTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostReadings_AppKilledRightAfter202_EveryAcknowledgedReadingStoredAfterRestart()
    {
        var database = await pg.CreateDatabaseAsync();
        string key;
        int temperatureId, pressureId;
        await using (var seeded = await StartAsync(database))
        {
            key = seeded.IngestKey;
            temperatureId = seeded.SensorId(Temperature);
            pressureId = seeded.SensorId(Pressure);
        }
        var acknowledged = new ConcurrentBag<(int SensorId, DateTime Ts)>();
        var t0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-1).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var next = -1;

        using (var app = await AppProcess.StartAsync(database))
        {
            using var client = new HttpClient { BaseAddress = app.BaseAddress };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            var acks = 0;
            var killed = new TaskCompletionSource();

            async Task SendLoopAsync(string sensor, int sensorId)
            {
                while (!killed.Task.IsCompleted)
                {
                    var batch = Interlocked.Increment(ref next);
                    var items = Enumerable.Range(0, 200).Select(i => (sensor, t0.AddMilliseconds(batch * 200 + i), (double)(i % 10))).ToArray();
                    try
                    {
                        var response = await client.PostAsync("/api/v1/readings", Json(Batch(items)), CancellationToken.None);
                        if (response.StatusCode != HttpStatusCode.Accepted)
                        {
                            continue;
                        }
                        foreach (var item in items)
                        {
                            acknowledged.Add((sensorId, item.Item2.UtcDateTime));
                        }
                        if (Interlocked.Increment(ref acks) == 25)
                        {
                            app.Kill();
                            killed.TrySetResult();
                        }
                    }
                    catch (HttpRequestException)
                    {
                        await killed.Task;
                    }
                }
            }

            await Task.WhenAll(SendLoopAsync(Temperature, temperatureId), SendLoopAsync(Pressure, pressureId)).WaitAsync(TimeSpan.FromMinutes(2), Ct);
        }

        using (var restarted = await AppProcess.StartAsync(database))
        {
            using var client = new HttpClient { BaseAddress = restarted.BaseAddress };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            var after = await client.PostAsync("/api/v1/readings", Json(Batch((Temperature, t0.AddHours(-1), 5))), Ct);
            Assert.Equal(HttpStatusCode.Accepted, after.StatusCode);
            // What was acknowledged is committed as deltas; the restarted rollup worker stores them in readings.
            await Wait.UntilAsync(async () => await QueryScalarAsync<long>(database, "SELECT count(*) FROM rollup_delta WHERE NOT stored") == 0,
                TimeSpan.FromSeconds(30), "the committed readings to be stored");
        }

        var stored = new HashSet<(int, DateTime)>();
        await using var conn = new NpgsqlConnection(database);
        await conn.OpenAsync(Ct);
        await using (var cmd = new NpgsqlCommand("SELECT sensor_id, ts FROM readings", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                stored.Add((reader.GetInt32(0), reader.GetDateTime(1)));
            }
        }
        Assert.True(acknowledged.Count >= 25 * 200);
        Assert.DoesNotContain(acknowledged, a => !stored.Contains(a));
    }

    /// <summary>The built application run as a child process, as in production.</summary>
    private sealed class AppProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private AppProcess(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Uri BaseAddress { get; }

        public static async Task<AppProcess> StartAsync(string connectionString)
        {
            var port = KestrelApp.FreePort();
            var psi = new ProcessStartInfo("dotnet", [AppBinary.Path, "--urls", $"http://127.0.0.1:{port}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(AppBinary.Path)!,
                Environment =
                {
                    ["ConnectionStrings__CityOps"] = connectionString,
                    ["CityOps__DemoMode"] = "false",
                    ["Database__MigrateOnStartup"] = "true",
                    ["ASPNETCORE_ENVIRONMENT"] = "Production",
                    ["Logging__LogLevel__Default"] = "Warning",
                },
            };
            var app = new AppProcess(Process.Start(psi)!, new Uri($"http://127.0.0.1:{port}"));
            using var probe = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
            await Wait.UntilAsync(async () =>
            {
                if (app._process.HasExited)
                {
                    throw new InvalidOperationException($"The application exited: {app.Output}");
                }
                try
                {
                    return (await probe.GetAsync("/openapi/v1.json")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), "the application to start");
            return app;
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>SIGKILL: no shutdown, no flushing, as a crash or an OOM kill would do.</summary>
        public void Kill() => _process.Kill(entireProcessTree: true);

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

    }
}
