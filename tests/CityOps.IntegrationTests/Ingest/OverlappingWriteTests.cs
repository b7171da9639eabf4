using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>
/// Two write transactions in flight at once, as the writer loops run them: one is held open after its COPY (where
/// the writer lets the next one start) while the other runs.
/// </summary>
public sealed class OverlappingWriteTests(PostgresFixture pg)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WriteAsync_SecondTransactionOnSameMinuteWhileFirstIsOpen_BothLandInRollupsExactly()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync());
        await using var first = NewStore(host);
        await using var second = NewStore(host);
        var minute = Minute();
        var a = Item(host, Enumerable.Range(0, 30).Select(i => new PendingReading(host.SensorId(Temperature), minute.AddSeconds(i * 2), i)));
        var b = Item(host, Enumerable.Range(0, 20).Select(i => new PendingReading(host.SensorId(Pressure), minute.AddSeconds(i * 3), 100 + i)));
        var copied = new TaskCompletionSource();
        var resume = new TaskCompletionSource();

        var writeA = first.WriteAsync([a], async () =>
        {
            copied.SetResult();
            await resume.Task;
        }, Ct);
        await copied.Task.WaitAsync(Timeout, Ct);
        // The first transaction holds its rows but has not marked its minute yet: the second neither waits for it nor
        // is held off by it.
        Assert.Equal(20L, await second.WriteAsync([b], Ct).WaitAsync(Timeout, Ct));
        // The rollup worker takes the minute now and sees only the committed readings...
        await host.FlushRollupsAsync();
        Assert.Equal(20L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1m"));
        resume.SetResult();
        Assert.Equal(30L, await writeA.WaitAsync(Timeout, Ct));
        // ...and the first transaction's mark, taken after its COPY and committed with its rows, brings the minute back.
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_pending"));

        await host.FlushRollupsAsync();
        Assert.Equal(50L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(0L, await host.ScalarAsync<long>("""
            WITH expected AS (
                SELECT sensor_id, date_bin('1 minute', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
                       count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
                FROM readings GROUP BY 1, 2)
            SELECT count(*) FROM expected e FULL JOIN rollup_1m r USING (sensor_id, bucket)
            WHERE r.count IS DISTINCT FROM e.count OR r.sum IS DISTINCT FROM e.sum OR r.min IS DISTINCT FROM e.min OR r.max IS DISTINCT FROM e.max
            """));
        Assert.Equal(50L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1h"));
    }

    [Fact]
    public async Task WriteAsync_SameIdempotencyKeyInTwoOpenTransactions_SecondWaitsAndReplaysFirstAnswer()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync());
        await using var first = NewStore(host);
        await using var second = NewStore(host);
        var minute = Minute();
        var readings = Enumerable.Range(0, 10).Select(i => new PendingReading(host.SensorId(Temperature), minute.AddSeconds(i), i)).ToArray();
        var a = Item(host, readings, "gateway-7", new IngestOutcome(10, [new IngestRejection(3, "first answer")]));
        var retry = Item(host, readings, "gateway-7");
        var copied = new TaskCompletionSource();
        var resume = new TaskCompletionSource();

        var writeA = first.WriteAsync([a], async () =>
        {
            copied.SetResult();
            await resume.Task;
        }, Ct);
        await copied.Task.WaitAsync(Timeout, Ct);
        var writeRetry = second.WriteAsync([retry], Ct);
        // The retry's claim waits for the transaction that holds the key.
        await Wait.UntilAsync(async () => await host.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cityops-ingest' AND wait_event_type = 'Lock'") == 1,
            Timeout, "the retry to wait for the key");
        Assert.False(writeRetry.IsCompleted);
        resume.SetResult();

        Assert.Equal(10L, await writeA.WaitAsync(Timeout, Ct));
        Assert.Equal(0L, await writeRetry.WaitAsync(Timeout, Ct));
        Assert.Null(a.ReplayedOutcome);
        Assert.NotNull(retry.ReplayedOutcome);
        Assert.Equal(10, retry.ReplayedOutcome.Accepted);
        Assert.Equal("first answer", Assert.Single(retry.ReplayedOutcome.Rejected).Reason);
        Assert.Equal(10L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM ingest_requests"));
    }

    [Fact]
    public async Task WriteAsync_KeyHolderRollsBack_WaitingTransactionClaimsKeyAndStores()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync());
        await using var first = NewStore(host);
        await using var second = NewStore(host);
        var minute = Minute();
        var readings = Enumerable.Range(0, 10).Select(i => new PendingReading(host.SensorId(Flow), minute.AddSeconds(i), i)).ToArray();
        var a = Item(host, readings, "gateway-8");
        var retry = Item(host, readings, "gateway-8");
        var copied = new TaskCompletionSource();
        var fail = new TaskCompletionSource();

        var writeA = first.WriteAsync([a], async () =>
        {
            copied.SetResult();
            await fail.Task;
        }, Ct);
        await copied.Task.WaitAsync(Timeout, Ct);
        var writeRetry = second.WriteAsync([retry], Ct);
        await Wait.UntilAsync(async () => await host.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cityops-ingest' AND wait_event_type = 'Lock'") == 1,
            Timeout, "the retry to wait for the key");
        fail.SetException(new InvalidOperationException("the first transaction fails after its COPY"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => writeA.WaitAsync(Timeout, Ct));
        Assert.Equal(10L, await writeRetry.WaitAsync(Timeout, Ct));
        Assert.Null(retry.ReplayedOutcome);
        Assert.Equal(10L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM ingest_requests"));
        await host.FlushRollupsAsync();
        Assert.Equal(10L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1m"));
    }

    private static ReadingsStore NewStore(IngestTestHost host) =>
        new(host.Service<ReadingsDatabase>(), host.Service<ReadingsPartitions>(), TimeProvider.System);

    /// <summary>The start of a minute three hours ago (inside retention, never in the future).</summary>
    private static DateTime Minute()
    {
        var t = DateTime.UtcNow.AddHours(-3);
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
    }

    private static IngestWorkItem Item(IngestTestHost host, IEnumerable<PendingReading> readings, string? key = null, IngestOutcome? outcome = null)
    {
        var list = readings.ToArray();
        return new IngestWorkItem(list, outcome ?? new IngestOutcome(list.Length, []), host.IngestKeyId, key);
    }
}
