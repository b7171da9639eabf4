using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>
/// The store on its own (not the host's writer): while one transaction commits, the next one's COPY is started on the
/// other connection when more work waits, and a batch that must go another way abandons that COPY.
/// </summary>
public sealed class ReadingsStoreTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IngestWorkItem Item(string? idempotencyKey, params PendingReading[] readings) =>
        new(readings, new IngestOutcome(readings.Length, []), Guid.Empty, idempotencyKey);

    private static PendingReading R(int sensor, DateTime ts, double value) => new(sensor, ts, value);

    private static Task<long> OpenCopiesAsync(IngestTestHost host) => host.ScalarAsync<long>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cityops-ingest' " +
        "AND state = 'active' AND ltrim(query) LIKE 'COPY readings%'");

    [Fact]
    public async Task WriteAsync_MoreWorkPending_NextCopyWaitsOnTheOtherConnectionAndEveryWayAfterwardsStoresOnce()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var temperature = host.SensorId(Temperature);
        var pressure = host.SensorId(Pressure);
        var t0 = DateTime.UtcNow.AddHours(-3);
        t0 = new DateTime(t0.Ticks - t0.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        await using var store = new ReadingsStore(host.Service<ReadingsDatabase>(), host.Service<ReadingsPartitions>(), TimeProvider.System);
        // The day's partitions made first, with nothing said to wait.
        Assert.Equal(1, await store.WriteAsync([Item(null, R(temperature, t0.AddSeconds(-1), 0))], () => false, Ct));
        Assert.Equal(0L, await OpenCopiesAsync(host));

        // Fast, with more work said to wait: committed, and the next COPY is open on the other connection.
        Assert.Equal(2, await store.WriteAsync([Item(null, R(temperature, t0, 1), R(pressure, t0, 2))], () => true, Ct));
        Assert.Equal(1L, await OpenCopiesAsync(host));

        // That COPY takes the next batch.
        Assert.Equal(1, await store.WriteAsync([Item("k1", R(temperature, t0.AddSeconds(1), 3))], () => true, Ct));
        Assert.Equal(1L, await OpenCopiesAsync(host));

        // A batch repeating a reading goes the careful way: the open COPY is abandoned, what is new is stored once.
        var repeated = new PendingReading(pressure, t0.AddSeconds(2), 4);
        Assert.Equal(1, await store.WriteAsync([Item(null, repeated), Item(null, repeated, R(temperature, t0, 1))], () => true, Ct));
        Assert.Equal(0L, await OpenCopiesAsync(host));

        // A reading stored before fails the fast COPY (the one opened by the previous fast write) and goes the careful way.
        Assert.Equal(1, await store.WriteAsync([Item(null, R(temperature, t0.AddSeconds(3), 5))], () => true, Ct));
        Assert.Equal(1L, await OpenCopiesAsync(host));
        Assert.Equal(1, await store.WriteAsync([Item(null, R(temperature, t0.AddSeconds(3), 5), R(pressure, t0.AddSeconds(3), 6))], () => true, Ct));

        // A key answered before fails the fast COMMIT; the careful way replays its answer and stores nothing.
        Assert.Equal(1, await store.WriteAsync([Item(null, R(pressure, t0.AddSeconds(4), 7))], () => true, Ct));
        var replayed = Item("k1", R(temperature, t0.AddSeconds(9), 8));
        Assert.Equal(0, await store.WriteAsync([replayed], () => true, Ct));
        Assert.NotNull(replayed.ReplayedOutcome);

        // A reading of a day without a partition yet, while a COPY is open: the COPY is abandoned so the partition can be made.
        Assert.Equal(1, await store.WriteAsync([Item(null, R(pressure, t0.AddSeconds(5), 9))], () => true, Ct));
        Assert.Equal(1L, await OpenCopiesAsync(host));
        var yesterday = t0.AddDays(-1);
        Assert.Equal(1, await store.WriteAsync([Item(null, R(pressure, yesterday, 10))], () => false, Ct));

        // Nothing said to wait: no COPY is left open.
        Assert.Equal(0L, await OpenCopiesAsync(host));
        Assert.Equal(10L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM ingest_requests"));
        await host.FlushRollupsAsync();
        Assert.Equal(10L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1m"));
        Assert.Equal(10L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1h"));
        Assert.Equal(2.0 + 4 + 6 + 7 + 9 + 10, await host.ScalarAsync<double>("SELECT sum(sum) FROM rollup_1m WHERE sensor_id = $1", pressure));
    }
}
