using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>What operations see of the rollup worker: its metrics, and <c>/health/ready</c> when it falls behind.</summary>
public sealed class IngestMonitoringTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FlushRollups_CommittedReadings_CountedAsStoredWithTheLagOfTheOldestDelta()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var scope = host.Service<IMeterFactory>();
        var stored = 0L;
        var lags = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this host's meter: other tests' hosts run in the same process.
            if (instrument.Meter.Scope == scope && instrument.Name is "cityops.ingest.readings.stored" or "cityops.ingest.store.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref stored, value));
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (lags)
            {
                lags.Add(value);
            }
        });
        listener.Start();
        var t0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-2).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var client = host.Client(host.IngestKey);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0, 1), (Pressure, t0, 2))), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0, 1), (Temperature, t0.AddSeconds(1), 3))), Ct)).StatusCode);
        await Task.Delay(200, Ct);

        await host.FlushRollupsAsync();

        // The re-sent reading is stored once.
        Assert.Equal(3L, Interlocked.Read(ref stored));
        var lag = Assert.Single(lags);
        Assert.InRange(lag, 0.2, 60);
    }

    [Fact]
    public async Task HealthReady_CommittedReadingsWaitLongerThanTheLimit_DegradedUntilStored()
    {
        var settings = new Dictionary<string, string?>(QuietRollupWorker) { ["Ingest:StoreLagDegraded"] = "00:00:01" };
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), settings);
        var t0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-2).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client(host.IngestKey).PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0, 1), (Pressure, t0, 2))), Ct)).StatusCode);
        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);

        var behind = await ReadyAsync(host);
        await host.FlushRollupsAsync();
        var caughtUp = await ReadyAsync(host);

        // Degraded still answers 200: what was acknowledged is durable and readable.
        Assert.Equal((HttpStatusCode.OK, "Degraded", "Degraded"), (behind.Status, behind.Overall, behind.Storage.GetProperty("status").GetString()));
        Assert.Contains("2 committed readings wait", behind.Storage.GetProperty("description").GetString());
        Assert.Equal((HttpStatusCode.OK, "Healthy", "Healthy"), (caughtUp.Status, caughtUp.Overall, caughtUp.Storage.GetProperty("status").GetString()));
    }

    private static async Task<(HttpStatusCode Status, string? Overall, JsonElement Storage)> ReadyAsync(IngestTestHost host)
    {
        var response = await host.Client(null).GetAsync("/health/ready", Ct);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var storage = body.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "ingest-storage");
        return (response.StatusCode, body.GetProperty("status").GetString(), storage.Clone());
    }
}
