using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>
/// Raw reads see what was acknowledged before the rollup worker stored it, and the worker stores readings whose day's
/// partition went away after they were committed.
/// </summary>
public sealed class RawSeriesReaderTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset BaseTime => new(DateTime.UtcNow.AddHours(-3).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    [Fact]
    public async Task ReadAsync_ReadingsStoredAndStillInDeltas_EachOnceInTimeOrderAndTheStoredOneWinsOverItsResend()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var t0 = BaseTime;
        var client = host.Client(host.BothKey);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0, 1), (Temperature, t0.AddSeconds(1), 2))), Ct)).StatusCode);
        await host.FlushRollupsAsync();
        // Not stored yet: a re-sent reading with another value, two new ones (one of another sensor), and one re-sent within the deltas.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0.AddSeconds(1), 20), (Temperature, t0.AddSeconds(3), 4), (Pressure, t0.AddSeconds(2), 9))), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0.AddSeconds(3), 40), (Temperature, t0.AddSeconds(2), 3))), Ct)).StatusCode);
        Assert.Equal(2L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta WHERE NOT stored"));
        var reader = host.Service<RawSeriesReader>();
        var sensor = host.SensorId(Temperature);
        var from = t0.AddMinutes(-1).UtcDateTime;
        var to = t0.AddHours(1).UtcDateTime;

        var pending = await reader.ReadAsync(sensor, from, to, 10, Ct);
        var limited = await reader.ReadAsync(sensor, from, to, 3, Ct);
        var slice = await reader.ReadAsync(sensor, t0.AddSeconds(2).UtcDateTime, t0.AddSeconds(3).UtcDateTime, 10, Ct);
        await host.FlushRollupsAsync();
        var stored = await reader.ReadAsync(sensor, from, to, 10, Ct);

        (DateTime, double)[] expected = [(t0.UtcDateTime, 1), (t0.AddSeconds(1).UtcDateTime, 2), (t0.AddSeconds(2).UtcDateTime, 3), (t0.AddSeconds(3).UtcDateTime, 4)];
        Assert.Equal(expected, pending);
        Assert.Equal(expected.Take(3), limited);
        Assert.Equal(expected.Skip(2).Take(1), slice);
        Assert.Equal(expected, stored);
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
    }

    [Fact]
    public async Task FlushRollups_DayPartitionDroppedAfterTheCommit_MadeAgainAndTheReadingsStoredAndRolledUp()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var t0 = BaseTime;
        var client = host.Client(host.IngestKey);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0, 1), (Pressure, t0, 2))), Ct)).StatusCode);
        var partition = ReadingsPartitions.ReadingsPartition(DateOnly.FromDateTime(t0.UtcDateTime));
        await using (var conn = new Npgsql.NpgsqlConnection(host.ConnectionString))
        {
            await conn.OpenAsync(Ct);
            await using var drop = new Npgsql.NpgsqlCommand($"DROP TABLE {partition}", conn);
            await drop.ExecuteNonQueryAsync(Ct);
        }

        await host.FlushRollupsAsync();

        Assert.Equal(2L, await host.ScalarAsync<long>($"SELECT count(*) FROM {partition}"));
        Assert.Equal(3.0, await host.ScalarAsync<double>("SELECT sum(sum) FROM rollup_1h"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
    }
}
