using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class PartitionSealTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Valid indexes of the partition whose first column is sensor_id: what per-sensor series queries need.
    private const string PerSensorIndexes = """
        SELECT count(*) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]
        WHERE t.relname = $1 AND x.indisvalid AND x.indisunique AND a.attname = 'sensor_id'
        """;

    [Fact]
    public async Task RunOnce_DayOverPlusSealAfter_PerSensorIndexBuiltAndLateResentReadingStoredOnce()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            // Longer than the real time since the partition's day ended, so only the passes below can seal it.
            ["Retention:SealAfter"] = "2.00:00:00",
        });
        var dayEnd = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var t0 = dayEnd.AddHours(-3);
        var client = host.Client(host.BothKey);
        (await client.PostAsync("/api/v1/readings", Json(Batch((Temperature, t0, 1), (Temperature, t0.AddSeconds(1), 2), (Pressure, t0, 3))), Ct))
            .EnsureSuccessStatusCode();
        var partition = ReadingsPartitions.ReadingsPartition(DateOnly.FromDateTime(t0.UtcDateTime));
        var worker = host.Service<ReadingsMaintenanceWorker>();

        await worker.RunOnceAsync(dayEnd.AddDays(1), Ct);
        var beforeSeal = await host.ScalarAsync<long>(PerSensorIndexes, partition);
        await worker.RunOnceAsync(dayEnd.AddDays(3), Ct);
        var afterSeal = await host.ScalarAsync<long>(PerSensorIndexes, partition);
        (await client.PostAsync("/api/v1/readings", Json(Batch((Temperature, t0, 1), (Temperature, t0.AddSeconds(2), 4))), Ct))
            .EnsureSuccessStatusCode();

        Assert.Equal(0L, beforeSeal);
        Assert.Equal(1L, afterSeal);
        await host.FlushRollupsAsync();
        Assert.Equal(4L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        var range = $"from={Uri.EscapeDataString(t0.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(t0.AddMinutes(1).ToString("O"))}";
        var raw = await ReadJsonAsync(await client.GetAsync($"/api/v1/sensors/{Temperature}/series?{range}&step=raw", Ct));
        Assert.Equal([1.0, 2.0, 4.0], raw.EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
    }
}
