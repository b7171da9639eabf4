using System.Diagnostics;
using CityOps.Simulator;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Kpi;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Benchmarks;

internal sealed record KpiBenchmarkOptions(int Days, int IntervalSeconds, int Runs)
{
    public static KpiBenchmarkOptions Parse(string[] args)
    {
        var o = new KpiBenchmarkOptions(30, 120, 20);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--days" => o with { Days = v },
                "--interval" => o with { IntervalSeconds = v },
                "--runs" => o with { Runs = v },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// The plant and city KPI pages' queries over a month of the whole demo world: the twin backfills the history
/// (every sensor at most once per <c>--interval</c> seconds, counters and meters summing what they gathered in
/// between, as the demo feed's backfill does), the readings go in by binary COPY and the rollups are built from them
/// as the rollup worker would; then each page's figures (period and previous period) are computed repeatedly.
/// </summary>
internal sealed class KpiBenchmark(KpiBenchmarkOptions options)
{
    public async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-kpi-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var cluster = await LocalPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            await using var app = new IngestBenchmark.BenchmarkApp(cluster.ConnectionString);
            var services = app.Services;
            var world = DemoWorld.Create();
            await services.GetRequiredService<WorldRegistration>().RegisterAsync(world);
            var catalog = services.GetRequiredService<SensorCatalog>();
            await catalog.RefreshAsync();
            var now = DateTime.UtcNow;
            var end = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerDay, DateTimeKind.Utc);
            var start = end.AddDays(-options.Days);
            var watch = Stopwatch.StartNew();
            long readings = 0;
            await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
            {
                await connection.OpenAsync();
                await services.GetRequiredService<ReadingsPartitions>().EnsureAsync(connection, start, end, CancellationToken.None);
                var twin = new Twin(world, 1, start);
                await using (var copy = await connection.BeginBinaryImportAsync("COPY readings (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)"))
                {
                    foreach (var batch in twin.Backfill(start, end, TimeSpan.FromSeconds(options.IntervalSeconds)))
                    {
                        foreach (var r in batch)
                        {
                            if (!catalog.TryGet(r.SensorKey, out var sensor))
                                continue;
                            await copy.StartRowAsync();
                            await copy.WriteAsync(sensor.Id, NpgsqlDbType.Integer);
                            await copy.WriteAsync(r.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz);
                            await copy.WriteAsync(r.Value, NpgsqlDbType.Double);
                            readings++;
                        }
                    }
                    await copy.CompleteAsync();
                }
                Console.WriteLine($"backfill: {readings:N0} readings of {world.Sensors.Count} sensors over {options.Days} days (at most one per {options.IntervalSeconds} s) in {watch.Elapsed.TotalSeconds:F0} s");
                watch.Restart();
                await ExecuteAsync(connection, """
                    INSERT INTO rollup_1m (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
                    SELECT sensor_id, date_trunc('minute', ts), count(*), sum(value), min(value), max(value), sum(value * value),
                           min(ts), (array_agg(value ORDER BY ts))[1], max(ts), (array_agg(value ORDER BY ts DESC))[1]
                    FROM readings GROUP BY 1, 2
                    """);
                await ExecuteAsync(connection, """
                    INSERT INTO rollup_1h (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
                    SELECT sensor_id, date_trunc('hour', bucket), sum(count), sum(sum), min(min), max(max), sum(sum_sq),
                           min(first_ts), (array_agg(first_value ORDER BY first_ts))[1], max(last_ts), (array_agg(last_value ORDER BY last_ts DESC))[1]
                    FROM rollup_1m GROUP BY 1, 2
                    """);
                await ExecuteAsync(connection, "ANALYZE readings; ANALYZE rollup_1m; ANALYZE rollup_1h");
                Console.WriteLine($"rollups built in {watch.Elapsed.TotalSeconds:F0} s");
            }

            var kpi = services.GetRequiredService<KpiService>();
            var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
            var localEnd = TimeZoneInfo.ConvertTimeFromUtc(end, zone).Date;
            var month = new KpiPeriodRequest(KpiPeriodKind.Custom, localEnd.AddDays(-options.Days), DateOnly.FromDateTime(localEnd.AddDays(-1)));
            var plant = await TimeAsync(async () =>
            {
                var page = await kpi.PlantAsync(month, null, null, CancellationToken.None);
                return $"{page.Period!.Label}: OEE {page.Sheet!.Tiles[0].Value}, availability {page.Sheet.Tiles[1].Value}, MTBF {page.Sheet.Tiles[5].Value}";
            });
            var city = await TimeAsync(async () =>
            {
                var page = await kpi.CityAsync(month, null, CancellationToken.None);
                return $"{page.Period!.Label}: worst AQI {page.Sheet!.Tiles[0].Value}, congestion {page.Sheet.Tiles[1].Value}, energy {page.Sheet.Tiles[3].Value}";
            });
            Console.WriteLine($"plant KPIs, one month + previous month: p50 {plant.P50:F0} ms, p95 {plant.P95:F0} ms (target < 1000 ms) — {plant.Sample}");
            Console.WriteLine($"city KPIs, one month + previous month:  p50 {city.P50:F0} ms, p95 {city.P95:F0} ms (target < 1000 ms) — {city.Sample}");
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task<(double P50, double P95, string Sample)> TimeAsync(Func<Task<string>> query)
    {
        var sample = await query(); // warm-up: connection pool, JIT, plan cache
        var times = new List<double>();
        for (var i = 0; i < options.Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await query();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return (times[times.Count / 2], times[(int)Math.Ceiling(times.Count * 0.95) - 1], sample);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
