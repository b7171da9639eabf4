using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>
/// The store on its own (not the host's writer): a transaction writes its readings as one delta row with its claims;
/// the rollup worker then stores them in <c>readings</c> once each, whatever was sent twice.
/// </summary>
public sealed class ReadingsStoreTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IngestWorkItem Item(string? idempotencyKey, params PendingReading[] readings) =>
        new(readings, new IngestOutcome(readings.Length, []), Guid.Empty, idempotencyKey);

    private static PendingReading R(int sensor, DateTime ts, double value) => new(sensor, ts, value);

    [Fact]
    public async Task WriteAsync_FastCarefulAndResentWrites_DeltasOnlyUntilTheWorkerStoresEachReadingOnceAndTheFirstWriteWins()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var temperature = host.SensorId(Temperature);
        var pressure = host.SensorId(Pressure);
        var t0 = DateTime.UtcNow.AddHours(-3);
        t0 = new DateTime(t0.Ticks - t0.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        await using var store = new ReadingsStore(host.Service<ReadingsDatabase>(), host.Service<ReadingsPartitions>(), TimeProvider.System);

        // Fast: one delta row per transaction, nothing in readings yet.
        Assert.Equal(2, await store.WriteAsync([Item(null, R(temperature, t0, 1), R(pressure, t0, 2))], Ct));
        Assert.Equal(1, await store.WriteAsync([Item("k1", R(temperature, t0.AddSeconds(1), 3))], Ct));
        Assert.Equal(2L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta WHERE NOT stored"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));

        // The same reading twice in one batch, and a reading sent before with another value: written as sent.
        var repeated = new PendingReading(pressure, t0.AddSeconds(2), 4);
        Assert.Equal(3, await store.WriteAsync([Item(null, repeated), Item(null, repeated with { Value = 40 }, R(temperature, t0, 100))], Ct));

        // A key answered before fails the fast COMMIT; the careful way replays its answer and writes nothing.
        var replayed = Item("k1", R(temperature, t0.AddSeconds(9), 8));
        Assert.Equal(0, await store.WriteAsync([replayed], Ct));
        Assert.NotNull(replayed.ReplayedOutcome);

        // The same key twice in one batch: the second repeats the first's answer.
        var first = Item("k2", R(pressure, t0.AddSeconds(4), 7));
        var again = Item("k2", R(pressure, t0.AddSeconds(4), 7));
        Assert.Equal(1, await store.WriteAsync([first, again], Ct));
        Assert.Same(first.Outcome, again.ReplayedOutcome);

        // A reading of a day without a partition yet: the partitions are made for the worker.
        var yesterday = t0.AddDays(-1);
        Assert.Equal(1, await store.WriteAsync([Item(null, R(pressure, yesterday, 10))], Ct));

        await host.FlushRollupsAsync();
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
        Assert.Equal(6L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(1.0, await host.ScalarAsync<double>("SELECT value FROM readings WHERE sensor_id = $1 AND ts = $2", temperature, t0));
        Assert.Equal(4.0, await host.ScalarAsync<double>("SELECT value FROM readings WHERE sensor_id = $1 AND ts = $2", pressure, t0.AddSeconds(2)));
        Assert.Equal(2L, await host.ScalarAsync<long>("SELECT count(*) FROM ingest_requests"));
        Assert.Equal(6L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1m"));
        Assert.Equal(6L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1h"));
        Assert.Equal(2.0 + 4 + 7 + 10, await host.ScalarAsync<double>("SELECT sum(sum) FROM rollup_1m WHERE sensor_id = $1", pressure));
        Assert.Equal(1.0 + 3, await host.ScalarAsync<double>("SELECT sum(sum) FROM rollup_1m WHERE sensor_id = $1", temperature));
    }
}
