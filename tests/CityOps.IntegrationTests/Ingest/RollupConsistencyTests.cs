using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using Npgsql;
using CityOps.Web.Features.Ingest;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class RollupConsistencyTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Minute(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    /// <summary>Stores one reading and marks its minute, as an earlier version's writer did for a batch it wrote the staging way (an instance not yet upgraded).</summary>
    private static async Task WriteMarkedAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, DateTimeOffset minute, int sensor, DateTimeOffset ts, double value)
    {
        await using var write = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new("INSERT INTO rollup_pending (bucket, dirtied_at) VALUES ($1, now())") { Parameters = { new() { Value = minute.UtcDateTime } } },
                new("INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)")
                {
                    Parameters = { new() { Value = sensor }, new() { Value = ts.UtcDateTime }, new() { Value = value } },
                },
            },
        };
        await write.ExecuteNonQueryAsync(Ct);
    }

    private static async Task AssertRollupsEqualRawAggregatesAsync(IngestTestHost host)
    {
        foreach (var (table, width) in new[] { ("rollup_1m", "1 minute"), ("rollup_1h", "1 hour") })
        {
            var mismatches = await host.ScalarAsync<long>($"""
                WITH expected AS (
                    SELECT sensor_id, date_bin('{width}', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
                           count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, sum(value * value) AS sum_sq,
                           min(ts) AS first_ts, max(ts) AS last_ts,
                           (array_agg(value ORDER BY ts))[1] AS first_value, (array_agg(value ORDER BY ts DESC))[1] AS last_value
                    FROM readings GROUP BY 1, 2)
                SELECT count(*) FROM expected e FULL JOIN {table} r USING (sensor_id, bucket)
                WHERE r.count IS DISTINCT FROM e.count OR r.sum IS DISTINCT FROM e.sum OR r.min IS DISTINCT FROM e.min
                   OR r.max IS DISTINCT FROM e.max OR r.sum_sq IS DISTINCT FROM e.sum_sq
                   OR r.first_ts IS DISTINCT FROM e.first_ts OR r.last_ts IS DISTINCT FROM e.last_ts
                   OR r.first_value IS DISTINCT FROM e.first_value OR r.last_value IS DISTINCT FROM e.last_value
                """);
            Assert.True(mismatches == 0, $"{mismatches} {table} rows differ from the aggregate over readings");
        }
    }

    [Fact]
    public async Task PostReadings_OutOfOrderLateResentAndConcurrent_RollupsEqualAggregatesOverRawRows()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync());
        var t0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-5).Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        var random = new Random(7);
        string[] sensors = [Temperature, Pressure, Flow];
        // Integer values keep every sum exact whatever order the partial sums are added in.
        var all = Enumerable.Range(0, 3 * 3600 / 7)
            .SelectMany(i => sensors.Select(s => (Sensor: s, Ts: t0.AddSeconds(i * 7 + random.Next(0, 7)), Value: (double)random.Next(0, 16))))
            .DistinctBy(r => (r.Sensor, r.Ts))
            .OrderBy(_ => random.Next())
            .ToArray();
        var batches = all.Chunk(250).ToArray();
        var resent = batches.Where((_, i) => i % 3 == 0).Select(b => b.Take(100).ToArray());
        var client = host.Client(host.IngestKey);

        // Four concurrent senders; every third batch is partly sent again later, as a retrying gateway would.
        var work = batches.Concat(resent).ToArray();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct }, async (batch, ct) =>
        {
            var response = await client.PostAsync("/api/v1/readings", Json(Batch(batch)), ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        });

        await host.FlushRollupsAsync();
        Assert.Equal((long)all.Length, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_pending"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
        await AssertRollupsEqualRawAggregatesAsync(host);
        Assert.True(await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1h") >= 9);
    }

    [Fact]
    public async Task PostReadings_AnotherWriterMidTransactionInTheSameMinute_NeitherWaitsAndRollupsTakeItsReadingsOnceCommitted()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync());
        var minute = new DateTimeOffset(DateTime.UtcNow.AddHours(-3).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var client = host.Client(host.IngestKey);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings", Json(Batch((Pressure, minute.AddSeconds(1), 2))), Ct)).StatusCode);

        // A second instance, of the earlier version, is in the middle of writing to the same minute: its mark and its reading are not committed yet.
        await using var other = new NpgsqlConnection(host.ConnectionString);
        await other.OpenAsync(Ct);
        await using var tx = await other.BeginTransactionAsync(Ct);
        await WriteMarkedAsync(other, tx, minute, host.SensorId(Pressure), minute.AddSeconds(30), 8);

        // This instance writes to the same minute meanwhile and is not held up by the other one's mark.
        var response = await client.PostAsync("/api/v1/readings", Json(Batch((Pressure, minute.AddSeconds(2), 4))), Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.FlushRollupsAsync();
        const string Minute = "SELECT count FROM rollup_1m WHERE sensor_id = $1 AND bucket = $2";
        Assert.Equal(2L, await host.ScalarAsync<long>(Minute, host.SensorId(Pressure), minute.UtcDateTime));

        // Once the other instance commits, its mark brings the minute back and the rollups take its reading too.
        await tx.CommitAsync(Ct);
        await host.FlushRollupsAsync();
        Assert.Equal(3L, await host.ScalarAsync<long>(Minute, host.SensorId(Pressure), minute.UtcDateTime));
        Assert.Equal(14.0, await host.ScalarAsync<double>("SELECT sum FROM rollup_1h WHERE sensor_id = $1", host.SensorId(Pressure)));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_pending"));
    }

    [Fact]
    public async Task FlushRollups_MinuteMarkedWhileADeltaWithItsReadingsWaits_CountsEachReadingOnce()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var minute = Minute(DateTime.UtcNow.AddHours(-2));
        var client = host.Client(host.IngestKey);
        // One request over two minutes: one delta whose readings the worker has not merged yet.
        var response = await client.PostAsync("/api/v1/readings",
            Json(Batch((Pressure, minute.AddSeconds(10), 3), (Pressure, minute.AddSeconds(20), 5), (Pressure, minute.AddSeconds(70), 7))), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));

        // Another writer stored a reading of the first minute the way that marks it for recomputation.
        await using (var other = new NpgsqlConnection(host.ConnectionString))
        {
            await other.OpenAsync(Ct);
            await WriteMarkedAsync(other, null, minute, host.SensorId(Pressure), minute.AddSeconds(40), 11);
        }
        await host.FlushRollupsAsync();

        // The recomputed minute holds the delta's two readings once; the next minute comes from the delta alone.
        const string MinuteRow = "SELECT count FROM rollup_1m WHERE sensor_id = $1 AND bucket = $2";
        Assert.Equal(3L, await host.ScalarAsync<long>(MinuteRow, host.SensorId(Pressure), minute.UtcDateTime));
        Assert.Equal(1L, await host.ScalarAsync<long>(MinuteRow, host.SensorId(Pressure), minute.AddMinutes(1).UtcDateTime));
        Assert.Equal(26.0, await host.ScalarAsync<double>("SELECT sum(sum) FROM rollup_1h WHERE sensor_id = $1", host.SensorId(Pressure)));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
        await AssertRollupsEqualRawAggregatesAsync(host);
    }

    [Fact]
    public async Task FlushRollups_DeltaOfATransactionInFlightWhileItsMinuteIsRecomputed_MergedOnceItCommits()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietRollupWorker);
        var minute = Minute(DateTime.UtcNow.AddHours(-2));
        var sensor = host.SensorId(Pressure);
        // An earlier version's instance has a write transaction open: its reading and its delta (stored, the column's default) are not committed yet.
        await using var other = new NpgsqlConnection(host.ConnectionString);
        await other.OpenAsync(Ct);
        // Two hours ago may be yesterday, whose partitions nothing has made yet.
        await host.Service<ReadingsPartitions>().EnsureAsync(other, minute.UtcDateTime, minute.UtcDateTime, Ct);
        await using var tx = await other.BeginTransactionAsync(Ct);
        var late = new PendingReading(sensor, minute.AddSeconds(50).UtcDateTime, 9);
        var delta = new byte[RollupDelta.BytesPerReading];
        RollupDelta.Encode(late, delta);
        await using (var write = new NpgsqlBatch(other, tx)
        {
            BatchCommands =
            {
                new("INSERT INTO rollup_delta (written_at, first_bucket, last_bucket, readings) VALUES (now(), $1, $1, $2)")
                {
                    Parameters = { new() { Value = minute.UtcDateTime }, new() { Value = delta } },
                },
                new("INSERT INTO readings (sensor_id, ts, value) VALUES ($1, $2, $3)")
                {
                    Parameters = { new() { Value = sensor }, new() { Value = late.Timestamp }, new() { Value = late.Value } },
                },
            },
        })
        {
            await write.ExecuteNonQueryAsync(Ct);
        }
        // Meanwhile a committed reading of the same minute is recomputed (the staging way marked it).
        await using (var marker = new NpgsqlConnection(host.ConnectionString))
        {
            await marker.OpenAsync(Ct);
            await WriteMarkedAsync(marker, null, minute, sensor, minute.AddSeconds(5), 4);
        }
        await host.FlushRollupsAsync();
        const string MinuteRow = "SELECT count FROM rollup_1m WHERE sensor_id = $1 AND bucket = $2";
        Assert.Equal(1L, await host.ScalarAsync<long>(MinuteRow, sensor, minute.UtcDateTime));

        // Once the other transaction commits, its delta is there to take, and it is merged into the recomputed minute.
        await tx.CommitAsync(Ct);
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
        await host.FlushRollupsAsync();

        Assert.Equal(2L, await host.ScalarAsync<long>(MinuteRow, sensor, minute.UtcDateTime));
        Assert.Equal(9.0, await host.ScalarAsync<double>("SELECT last_value FROM rollup_1m WHERE sensor_id = $1", sensor));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
        await AssertRollupsEqualRawAggregatesAsync(host);
    }

    [Fact]
    public async Task Stop_ReadingsStillInTheirDeltas_StoredAndRolledUpByTheWorkersLastPass()
    {
        var database = await pg.CreateDatabaseAsync();
        var minute = Minute(DateTime.UtcNow.AddHours(-2));
        await using (var host = await StartAsync(database, QuietRollupWorker))
        {
            var response = await host.Client(host.IngestKey).PostAsync("/api/v1/readings",
                Json(Batch((Pressure, minute.AddSeconds(1), 2), (Pressure, minute.AddSeconds(2), 4), (Temperature, minute, 80))), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta WHERE NOT stored"));
        }

        Assert.Equal(0L, await QueryScalarAsync<long>(database, "SELECT count(*) FROM rollup_delta"));
        Assert.Equal(3L, await QueryScalarAsync<long>(database, "SELECT count(*) FROM readings"));
        Assert.Equal(86.0, await QueryScalarAsync<double>(database, "SELECT sum(sum) FROM rollup_1h"));
    }
}
