using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using Npgsql;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class RetentionTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunOnce_PartitionsPastRetention_DroppedWholeAndHourlyKept()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Retention:RawDays"] = "2",
            ["Retention:MinuteRollupDays"] = "40",
        });
        var now = DateTimeOffset.UtcNow;
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var response = await host.Client(host.IngestKey).PostAsync("/api/v1/readings",
            Json(Batch((Temperature, day.AddDays(-1).AddHours(1), 20), (Temperature, now.AddMinutes(-1), 21))), Ct);
        response.EnsureSuccessStatusCode();
        await host.FlushRollupsAsync();
        var worker = host.Service<ReadingsMaintenanceWorker>();
        await using (var conn = new NpgsqlConnection(host.ConnectionString))
        {
            await conn.OpenAsync(Ct);
            await using var old = new NpgsqlCommand(
                "INSERT INTO ingest_requests VALUES ($1, 'old', '{\"accepted\":0,\"rejected\":[]}', now() - interval '2 days')", conn)
            {
                Parameters = { new() { Value = host.IngestKeyId } },
            };
            await old.ExecuteNonQueryAsync(Ct);
        }

        var keptNow = await worker.RunOnceAsync(now, Ct);
        var droppedLater = await worker.RunOnceAsync(now.AddDays(2), Ct);
        var droppedMuchLater = await worker.RunOnceAsync(now.AddDays(80), Ct);

        Assert.Empty(keptNow);
        Assert.Contains(ReadingsPartitions.ReadingsPartition(DateOnly.FromDateTime(day.AddDays(-1).UtcDateTime)), droppedLater);
        Assert.DoesNotContain(ReadingsPartitions.ReadingsPartition(DateOnly.FromDateTime(day.UtcDateTime)), droppedLater);
        Assert.Contains(droppedMuchLater, n => n.StartsWith("rollup_1m_p", StringComparison.Ordinal));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1m"));
        Assert.Equal(2L, await host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1h"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM ingest_requests"));
        // Ahead-of-time partitions for the days after the last pass exist.
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1",
            ReadingsPartitions.ReadingsPartition(DateOnly.FromDateTime(now.AddDays(83).UtcDateTime))));
    }
}
