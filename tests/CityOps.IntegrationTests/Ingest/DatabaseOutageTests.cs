using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using Npgsql;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>PostgreSQL stopped and started again while gateways keep sending.</summary>
public sealed class DatabaseOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostReadings_DatabaseStoppedAndRestarted_503PromptlyThenResumesWithEveryAcknowledgedReadingOnce()
    {
        await using var cluster = await PrivateCluster.StartAsync();
        await using var host = await StartAsync(cluster.ConnectionString);
        var client = host.Client(host.IngestKey);
        var acknowledged = new ConcurrentBag<(string Sensor, DateTimeOffset Ts)>();
        var outcomes = new ConcurrentQueue<(HttpStatusCode Status, TimeSpan Elapsed, bool RetryAfter, DateTime At)>();
        var t0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-1).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var next = -1;

        async Task SendLoopAsync(string sensor)
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = Interlocked.Increment(ref next);
                var items = Enumerable.Range(0, 20).Select(i => (sensor, t0.AddMilliseconds(batch * 20 + i), (double)(i % 10))).ToArray();
                var watch = Stopwatch.StartNew();
                HttpResponseMessage response;
                try
                {
                    response = await client.PostAsync("/api/v1/readings", Json(Batch(items)), CancellationToken.None);
                }
                catch (HttpRequestException)
                {
                    continue;
                }
                outcomes.Enqueue((response.StatusCode, watch.Elapsed, response.Headers.RetryAfter is not null, DateTime.UtcNow));
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    foreach (var item in items)
                    {
                        acknowledged.Add((item.sensor, item.Item2));
                    }
                }
                else
                {
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }

        var senders = new[] { Temperature, Pressure }.Select(s => Task.Run(() => SendLoopAsync(s), Ct)).ToArray();
        await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= 200), what: "readings before the outage");

        await cluster.Cluster.StopAsync(Ct);
        var stoppedAt = DateTime.UtcNow;
        await Wait.UntilAsync(() => Task.FromResult(outcomes.Count(o => o.At > stoppedAt && o.Status == HttpStatusCode.ServiceUnavailable) >= 5),
            TimeSpan.FromSeconds(30), "503 answers during the outage");
        await cluster.Cluster.StartAsync(Ct);
        var startedAt = DateTime.UtcNow;
        await Wait.UntilAsync(() => Task.FromResult(outcomes.Count(o => o.At > startedAt && o.Status == HttpStatusCode.Accepted) >= 5),
            TimeSpan.FromSeconds(30), "ingestion to resume");
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        var failures = outcomes.Where(o => o.Status != HttpStatusCode.Accepted).ToArray();
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Equal(HttpStatusCode.ServiceUnavailable, f.Status));
        Assert.All(failures, f => Assert.True(f.RetryAfter, "503 without Retry-After"));
        Assert.All(failures, f => Assert.True(f.Elapsed < TimeSpan.FromSeconds(10), $"a 503 took {f.Elapsed}"));

        await host.FlushRollupsAsync();
        await using var conn = new NpgsqlConnection(cluster.ConnectionString);
        await conn.OpenAsync(Ct);
        var stored = new Dictionary<(int, DateTime), int>();
        await using (var cmd = new NpgsqlCommand("SELECT sensor_id, ts, count(*) OVER (PARTITION BY sensor_id, ts) FROM readings", conn))
        await using (var reader = await cmd.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                stored[(reader.GetInt32(0), reader.GetDateTime(1))] = (int)reader.GetInt64(2);
            }
        }
        var missing = acknowledged.Where(a => !stored.ContainsKey((host.SensorId(a.Sensor), a.Ts.UtcDateTime))).ToArray();
        Assert.Empty(missing);
        Assert.All(stored.Values, n => Assert.Equal(1, n));
        await using var total = new NpgsqlCommand("SELECT sum(count)::bigint FROM rollup_1m", conn);
        Assert.Equal((long)stored.Count, (long)(await total.ExecuteScalarAsync(Ct))!);
    }
}
