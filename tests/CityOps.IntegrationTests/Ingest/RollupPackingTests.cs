using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Ingest;
using Npgsql;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class RollupPackingTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // The worker's own passes would race the test's explicit flushes and packing; they are kept out of the way.
    private static readonly Dictionary<string, string?> QuietWorker = new() { ["Ingest:RollupInterval"] = "00:10:00" };

    private static DateTime Hour(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    private static DateTime Day(DateTime utc) => utc.Date;

    [Fact]
    public async Task ReadAsync_RangeOverPackedAndLoosePeriods_EqualsPlainSelectOverRollups()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietWorker);
        var now = DateTime.UtcNow;
        await PostAsync(host, Spread(now.AddDays(-3), now.AddMinutes(-2), seed: 1));
        await host.FlushRollupsAsync();

        await PackAllAsync(host);

        var minuteWatermark = await WatermarkAsync(host, "minute");
        var hourWatermark = await WatermarkAsync(host, "hour");
        // Everything but the last hour or two is packed, and today's hours are not packed into a day yet.
        Assert.True(minuteWatermark > now.AddHours(-2) && minuteWatermark <= now, $"minute watermark {minuteWatermark:u}");
        Assert.Equal(Day(now - host.Service<RollupPacker>().Grace), hourWatermark);
        Assert.True(await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1m_by_hour") > 100);
        Assert.True(await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1h_by_day") >= 6);
        int[] ids = [host.SensorId(Temperature), host.SensorId(Flow), host.SensorId(Pressure)];
        // Ranges that start and end inside packed periods, and ones that end among the loose buckets.
        await AssertReadsLikeRollupsAsync(host, ids, RollupResolution.Minute, now.AddDays(-3).AddMinutes(17), now);
        await AssertReadsLikeRollupsAsync(host, ids, RollupResolution.Minute, now.AddHours(-30).AddMinutes(-13), now.AddHours(-7).AddMinutes(29));
        await AssertReadsLikeRollupsAsync(host, ids, RollupResolution.Hour, now.AddDays(-3).AddHours(5), now.AddHours(1));
        await AssertReadsLikeRollupsAsync(host, ids, RollupResolution.Hour, now.AddDays(-2).AddHours(-3), now.AddDays(-1).AddHours(2));
    }

    [Fact]
    public async Task RecomputeAsync_LateReadingForPackedHourAndDay_ReadFromRollupsThenRepacked()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietWorker);
        var now = DateTime.UtcNow;
        await PostAsync(host, Spread(now.AddDays(-2), now.AddMinutes(-2), seed: 2));
        await host.FlushRollupsAsync();
        await PackAllAsync(host);
        var sensor = host.SensorId(Temperature);
        var lateHour = Hour(now.AddDays(-1).AddHours(-2));
        Assert.True(lateHour < await WatermarkAsync(host, "hour"), "the late reading's day is packed");
        var reader = host.Service<RollupSeriesReader>();
        var minutesBefore = await reader.ReadAsync(sensor, RollupResolution.Minute, lateHour, lateHour.AddHours(1), Ct);
        var hoursBefore = await reader.ReadAsync(sensor, RollupResolution.Hour, Day(lateHour), Day(lateHour).AddDays(1), Ct);
        var packedBefore = await host.ScalarAsync<byte[]>("SELECT count FROM rollup_1m_by_hour WHERE sensor_id = $1 AND hour = $2", sensor, lateHour);
        var dayBefore = await host.ScalarAsync<byte[]>("SELECT count FROM rollup_1h_by_day WHERE sensor_id = $1 AND day = $2", sensor, Day(lateHour));

        // Second 59 of each minute is never used by Spread, so these are new readings, one in a minute with data and
        // one far above every other value.
        await PostAsync(host, [(Temperature, lateHour.AddMinutes(7).AddSeconds(59), 399), (Temperature, lateHour.AddMinutes(8).AddSeconds(59), 398)]);
        await host.FlushRollupsAsync();

        // Until the packer runs, the stale hour and day are read from the rollup rows, with the late readings.
        Assert.Equal(packedBefore, await host.ScalarAsync<byte[]>("SELECT count FROM rollup_1m_by_hour WHERE sensor_id = $1 AND hour = $2", sensor, lateHour));
        Assert.Equal(2L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_repack"));
        var staleMinutes = await reader.ReadAsync(sensor, RollupResolution.Minute, lateHour, lateHour.AddHours(1), Ct);
        Assert.Equal(minutesBefore.Counts.Sum() + 2, staleMinutes.Counts.Sum());
        Assert.Contains(399.0, staleMinutes.Max);
        await AssertReadsLikeRollupsAsync(host, [sensor], RollupResolution.Minute, now.AddDays(-2), now);
        await AssertReadsLikeRollupsAsync(host, [sensor], RollupResolution.Hour, now.AddDays(-2), now);

        await PackAllAsync(host);

        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_repack"));
        Assert.NotEqual(packedBefore, await host.ScalarAsync<byte[]>("SELECT count FROM rollup_1m_by_hour WHERE sensor_id = $1 AND hour = $2", sensor, lateHour));
        Assert.NotEqual(dayBefore, await host.ScalarAsync<byte[]>("SELECT count FROM rollup_1h_by_day WHERE sensor_id = $1 AND day = $2", sensor, Day(lateHour)));
        var minutes = await reader.ReadAsync(sensor, RollupResolution.Minute, lateHour, lateHour.AddHours(1), Ct);
        var hours = await reader.ReadAsync(sensor, RollupResolution.Hour, Day(lateHour), Day(lateHour).AddDays(1), Ct);
        Assert.Equal(minutesBefore.Counts.Sum() + 2, minutes.Counts.Sum());
        Assert.Equal(hoursBefore.Counts.Sum() + 2, hours.Counts.Sum());
        Assert.Contains(399.0, minutes.Max);
        Assert.Contains(398.0, minutes.Max);
        Assert.Equal(399.0, hours.Max[Array.IndexOf(hours.Buckets, lateHour)]);
        await AssertReadsLikeRollupsAsync(host, [sensor], RollupResolution.Minute, now.AddDays(-2), now);
        await AssertReadsLikeRollupsAsync(host, [sensor], RollupResolution.Hour, now.AddDays(-2), now);
    }

    [Fact]
    public async Task PackAsync_MinuteAwaitingItsRollup_WatermarkStopsAtItsHourUntilRolledUp()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), QuietWorker);
        var packer = host.Service<RollupPacker>();
        Assert.Equal(0, await packer.PackAsync(Ct));
        Assert.Null(await WatermarkAsync(host, "minute"));
        var now = DateTime.UtcNow;
        await PostAsync(host, Spread(now.AddHours(-8), now.AddHours(-4), seed: 3));
        await host.FlushRollupsAsync();
        var pending = now.AddHours(-3).AddMinutes(-30);
        await PostAsync(host, [(Pressure, pending, 5)]);
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));

        await PackAllAsync(host);

        Assert.Equal(Hour(pending), await WatermarkAsync(host, "minute"));
        await host.FlushRollupsAsync();
        await PackAllAsync(host);
        Assert.Equal(Hour(DateTime.UtcNow - packer.Grace), await WatermarkAsync(host, "minute"));
        await AssertReadsLikeRollupsAsync(host, [host.SensorId(Pressure)], RollupResolution.Minute, now.AddHours(-9), DateTime.UtcNow);
    }

    [Fact]
    public async Task RunOnce_MinuteRollupsPastRetention_PackedPartitionsDroppedWithThem()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(), new Dictionary<string, string?>(QuietWorker)
        {
            ["Retention:RawDays"] = "2",
            ["Retention:MinuteRollupDays"] = "40",
        });
        var now = DateTime.UtcNow;
        await PostAsync(host, Spread(now.AddDays(-1), now.AddMinutes(-2), seed: 4));
        await host.FlushRollupsAsync();
        await PackAllAsync(host);
        var packedMonth = ReadingsPartitions.PackedMinutePartition(DateOnly.FromDateTime(now.AddDays(-1)));
        Assert.Equal(1L, await host.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1", packedMonth));
        Assert.True(await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1m_by_hour") > 0);
        var worker = host.Service<ReadingsMaintenanceWorker>();

        var droppedSoon = await worker.RunOnceAsync(now.AddDays(3), Ct);
        var droppedLater = await worker.RunOnceAsync(now.AddDays(80), Ct);

        Assert.DoesNotContain(droppedSoon, n => n.StartsWith("rollup_1m", StringComparison.Ordinal));
        Assert.Contains(packedMonth, droppedLater);
        Assert.Contains(ReadingsPartitions.MinutePartition(DateOnly.FromDateTime(now.AddDays(-1))), droppedLater);
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1m_by_hour"));
        Assert.Equal(0L, await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1m"));
        Assert.True(await host.ScalarAsync<long>("SELECT count(*) FROM rollup_1h_by_day") > 0);
        // Partitions created ahead come in pairs.
        var ahead = DateOnly.FromDateTime(now.AddDays(83));
        Assert.Equal(2L, await host.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname IN ($1, $2)",
            ReadingsPartitions.MinutePartition(ahead), ReadingsPartitions.PackedMinutePartition(ahead)));
    }

    /// <summary>Readings of three sensors at irregular times between <paramref name="from"/> and <paramref name="to"/>, integer values.</summary>
    private static (string Sensor, DateTime Ts, double Value)[] Spread(DateTime from, DateTime to, int seed)
    {
        var random = new Random(seed);
        var result = new List<(string, DateTime, double)>();
        string[] sensors = [Temperature, Pressure, Flow];
        for (var t = from; t < to; t = t.AddSeconds(random.Next(30, 300)))
        {
            var second = new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddSeconds(random.Next(0, 59));
            if (second < to)
            {
                result.Add((sensors[random.Next(sensors.Length)], second, random.Next(0, 16)));
            }
        }
        return [.. result.DistinctBy(r => (r.Item1, r.Item2))];
    }

    private static async Task PostAsync(IngestTestHost host, (string Sensor, DateTime Ts, double Value)[] readings)
    {
        var client = host.Client(host.IngestKey);
        foreach (var chunk in readings.Chunk(2_000))
        {
            var response = await client.PostAsync("/api/v1/readings",
                Json(Batch([.. chunk.Select(r => (r.Sensor, new DateTimeOffset(r.Ts), r.Value))])), Ct);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private static async Task PackAllAsync(IngestTestHost host)
    {
        var packer = host.Service<RollupPacker>();
        for (var pass = 0; await packer.PackAsync(Ct) > 0; pass++)
        {
            Assert.True(pass < 1_000, "packing does not come to an end");
        }
    }

    private static async Task<DateTime?> WatermarkAsync(IngestTestHost host, string resolution)
    {
        await using var conn = new NpgsqlConnection(host.ConnectionString);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT packed_through FROM rollup_packing WHERE resolution = $1", conn) { Parameters = { new() { Value = resolution } } };
        return await cmd.ExecuteScalarAsync(Ct) is DateTime t ? t : null;
    }

    /// <summary>The reader's answer equals a plain select over the rollup table, bucket by bucket.</summary>
    private static async Task AssertReadsLikeRollupsAsync(IngestTestHost host, int[] ids, RollupResolution resolution, DateTime from, DateTime to)
    {
        var read = await host.Service<RollupSeriesReader>().ReadAsync(ids, resolution, from, to, Ct);
        var expected = ids.ToDictionary(id => id, _ => new List<(DateTime, long, double, double, double)>());
        await using (var conn = new NpgsqlConnection(host.ConnectionString))
        {
            await conn.OpenAsync(Ct);
            await using var cmd = new NpgsqlCommand($"""
                SELECT sensor_id, bucket, count, min, max, sum / count FROM {(resolution == RollupResolution.Minute ? "rollup_1m" : "rollup_1h")}
                WHERE sensor_id = ANY($1) AND bucket >= $2 AND bucket < $3 AND count > 0 ORDER BY sensor_id, bucket
                """, conn)
            {
                Parameters = { new() { Value = ids }, new() { Value = from }, new() { Value = to } },
            };
            await using var reader = await cmd.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                expected[reader.GetInt32(0)].Add((reader.GetDateTime(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5)));
            }
        }
        Assert.True(expected.Values.Sum(e => e.Count) > 0, "the range holds buckets");
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.Equal(ids[i], read[i].SensorId);
            var actual = Enumerable.Range(0, read[i].Count)
                .Select(j => (read[i].Buckets[j], read[i].Counts[j], read[i].Min[j], read[i].Max[j], read[i].Mean[j]));
            Assert.Equal(expected[ids[i]], actual);
        }
    }
}
