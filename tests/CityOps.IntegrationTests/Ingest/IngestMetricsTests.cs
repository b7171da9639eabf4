using System.Diagnostics.Metrics;
using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class IngestMetricsTests(PostgresFixture pg)
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
}
