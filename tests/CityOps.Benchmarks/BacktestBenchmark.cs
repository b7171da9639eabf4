using System.Diagnostics;
using System.Globalization;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Simulator.World;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Benchmarks;

internal sealed record BacktestBenchmarkOptions(int Days, int Neighbours, int Runs)
{
    public static BacktestBenchmarkOptions Parse(string[] args)
    {
        var o = new BacktestBenchmarkOptions(30, 9, 2);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var v = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--days" => o with { Days = v },
                "--neighbours" => o with { Neighbours = v },
                "--runs" => o with { Runs = v },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// The rule editor's backtest end to end: <c>--days</c> of 1-second history of one sensor (2.59 M readings for 30 days)
/// stored in a private PostgreSQL next to <c>--neighbours</c> sensors at 10 s (so the sensor's rows share the day
/// partitions with others, as in production), the partitions sealed as the maintenance worker seals finished days;
/// then <see cref="RuleBacktester"/> backtests a limit, a baseline and a forecast rule over the whole range (database
/// read included), and the same rows are read alone for the ratio. Target: under 5 s per backtest.
/// </summary>
internal sealed class BacktestBenchmark(BacktestBenchmarkOptions options)
{
    private const string SensorKey = "bplant.line1.press.motor_temp";

    public async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-backtest-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        var cluster = await LocalPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            await using var app = new IngestBenchmark.BenchmarkApp(cluster.ConnectionString);
            var services = app.Services;
            await services.GetRequiredService<WorldRegistration>().RegisterAsync(World(options.Neighbours));
            var catalog = services.GetRequiredService<SensorCatalog>();
            await catalog.RefreshAsync();
            var end = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
            var start = end.AddDays(-options.Days);
            var sensorId = catalog.TryGet(SensorKey, out var s) ? s.Id : throw new InvalidOperationException("The benchmark sensor is not registered.");

            var watch = Stopwatch.StartNew();
            long written;
            await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
            {
                await connection.OpenAsync();
                var partitions = services.GetRequiredService<ReadingsPartitions>();
                await partitions.EnsureAsync(connection, start, end.AddTicks(-1), CancellationToken.None);
                written = WriteHistory(connection, catalog, start, end);
                Console.WriteLine($"history: {written:N0} readings ({options.Days} days of 1 s for one sensor, 10 s for {options.Neighbours} more) in {watch.Elapsed.TotalSeconds:F0} s");
                watch.Restart();
                await partitions.SealAsync(connection, end, CancellationToken.None);
                await using (var analyze = new NpgsqlCommand("ANALYZE readings", connection) { CommandTimeout = 0 })
                    await analyze.ExecuteNonQueryAsync();
                Console.WriteLine($"partitions sealed (per-sensor index) and analysed in {watch.Elapsed.TotalSeconds:F0} s");
            }

            var dataSource = services.GetRequiredService<NpgsqlDataSource>();
            await using (var explain = dataSource.CreateCommand(string.Create(CultureInfo.InvariantCulture,
                $"EXPLAIN (ANALYZE, COSTS OFF) SELECT sensor_id, ts, value FROM readings WHERE sensor_id = {sensorId} AND ts >= '{start:yyyy-MM-dd'T'HH:mm:ss'Z'}' AND ts < '{start.AddDays(1):yyyy-MM-dd'T'HH:mm:ss'Z'}' ORDER BY ts, sensor_id")))
            await using (var plan = await explain.ExecuteReaderAsync())
            {
                Console.WriteLine("plan of one day's read:");
                while (await plan.ReadAsync())
                    Console.WriteLine($"  {plan.GetString(0)}");
            }
            var read = new List<double>();
            long readRows = 0;
            var readCpu = new List<double>();
            for (var run = 0; run < options.Runs; run++)
            {
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                watch.Restart();
                readRows = ReadAlone(dataSource, sensorId, start, end);
                read.Add(watch.Elapsed.TotalSeconds);
                readCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
            }
            Console.WriteLine($"load average before the timed part: {LoadAverage()}");
            Console.WriteLine($"read alone (binary COPY, one day per statement): {readRows:N0} rows, {Describe(read)}, process CPU {Describe(readCpu)}");

            var backtester = services.GetRequiredService<IRuleBacktester>();
            var rationale = new Rationalisation("Overload", "Damage", "Reduce load", TimeSpan.FromMinutes(15));
            var cases = new (string Name, ModelParameters Model)[]
            {
                ("limit", new LimitParameters { High = 85, Deadband = 2, OnDelay = TimeSpan.FromMinutes(1), OffDelay = TimeSpan.FromMinutes(2), RateLimit = 5 }),
                ("baseline", new BaselineParameters()),
                ("forecast", new ForecastParameters { High = 85 }),
            };
            var memory = InMemorySeries(sensorId, start, end);
            var engineSensor = new EngineSensor(sensorId, "bplant", "bplant.line1.press", AssetType.Machine, "bplant.line1",
                new SensorContext(SensorKey, MetricKind.Temperature, "°C", -20, 200, TimeSpan.FromSeconds(1), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
            var failed = false;
            foreach (var (name, model) in cases)
            {
                var rule = new AlertRuleDefinition($"bench.{name}", name, new RuleScope(SensorKey: SensorKey), model, AlarmPriority.Low, "Motor hot", rationale, []);
                var times = new List<double>();
                var cpu = new List<double>();
                BacktestReport? report = null;
                for (var run = 0; run < options.Runs; run++)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    watch.Restart();
                    report = await backtester.RunAsync(rule, start, end, null, CancellationToken.None);
                    times.Add(watch.Elapsed.TotalSeconds);
                    cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds);
                }
                watch.Restart();
                var alone = Backtester.Run(rule, null, [engineSensor], memory, start, end);
                var engineTime = watch.Elapsed.TotalSeconds;
                var r = report!.Result;
                failed |= times.Min() >= 5;
                Console.WriteLine($"  {name,-9} end to end {Describe(times)}, process CPU {Describe(cpu)}; ratio to read alone {times.Min() / read.Min():0.00}; " +
                    $"models alone (in memory) {engineTime:0.00} s; {r.Readings:N0} readings, {r.Proposed.Alarms} alarms ({alone.Proposed.Alarms} in memory), trend {report.Trends.Sum(t => t.Points.Count)} points");
            }
            Console.WriteLine($"target: each backtest of {options.Days} days under 5 s end to end: {(failed ? "MISSED" : "met")}");
            return failed ? 1 : 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The benchmark sensor's series, as written, for timing the models without the database.</summary>
    private static BacktestReading[] InMemorySeries(int sensorId, DateTime start, DateTime end)
    {
        var random = new Random(3);
        var seconds = (long)(end - start).TotalSeconds;
        var series = new BacktestReading[seconds];
        for (long i = 0; i < seconds; i++)
        {
            var dayPhase = i % 86400;
            var excursion = dayPhase is >= 50_000 and < 51_800 ? 40.0 * Math.Sin(Math.PI * (dayPhase - 50_000) / 1800) : 0;
            series[i] = new BacktestReading(sensorId, start.AddSeconds(i), 60 + 10 * Math.Sin(2 * Math.PI * i / 86400) + 0.5 * (random.NextDouble() - 0.5) + excursion);
        }
        return series;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + $" on {Environment.ProcessorCount} cores" : "unknown";

    private static string Describe(List<double> seconds) =>
        $"{string.Join(" / ", seconds.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s (runs)";

    private static WorldDefinition World(int neighbours) => new(
        Sites: [new SiteDefinition("bplant", "Benchmark plant", SiteKind.Plant, 48.14, 11.58, 16, "Europe/Berlin")],
        Assets:
        [
            new AssetDefinition("bplant.line1", "bplant", null, "Line 1", AssetType.Line, 48.14, 11.58),
            new AssetDefinition("bplant.line1.press", "bplant", "bplant.line1", "Press", AssetType.Machine, 48.14, 11.58),
        ],
        Sensors:
        [
            new SensorDefinition(SensorKey, "bplant.line1.press", MetricKind.Temperature, "°C", -20, 200, 1, 48.14, 11.58),
            .. Enumerable.Range(1, neighbours).Select(i =>
                new SensorDefinition($"bplant.line1.press.probe{i}", "bplant.line1.press", MetricKind.Pressure, "bar", 0, 400, 10, 48.14, 11.58)),
        ],
        Actuators: []);

    private long WriteHistory(NpgsqlConnection connection, SensorCatalog catalog, DateTime start, DateTime end)
    {
        var main = catalog.TryGet(SensorKey, out var m) ? m.Id : 0;
        var neighbours = Enumerable.Range(1, options.Neighbours).Select(i => catalog.TryGet($"bplant.line1.press.probe{i}", out var n) ? n.Id : 0).ToArray();
        var random = new Random(3);
        var other = new Random(4);
        long rows = 0;
        // Synchronous rows: the set-up writes millions and per-row awaits would dominate it.
        using var copy = connection.BeginBinaryImport("COPY readings (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)");
        var seconds = (long)(end - start).TotalSeconds;
        for (long i = 0; i < seconds; i++)
        {
            var at = start.AddSeconds(i);
            // A daily cycle, noise, and once a day an excursion above the limit.
            var dayPhase = i % 86400;
            var excursion = dayPhase is >= 50_000 and < 51_800 ? 40.0 * Math.Sin(Math.PI * (dayPhase - 50_000) / 1800) : 0;
            Row(main, at, 60 + 10 * Math.Sin(2 * Math.PI * i / 86400) + 0.5 * (random.NextDouble() - 0.5) + excursion);
            if (i % 10 == 0)
            {
                foreach (var id in neighbours)
                {
                    Row(id, at, 200 + other.NextDouble());
                }
            }
        }
        copy.Complete();
        return rows;

        void Row(int id, DateTime at, double value)
        {
            copy.StartRow();
            copy.Write(id, NpgsqlDbType.Integer);
            copy.Write(at, NpgsqlDbType.TimestampTz);
            copy.Write(value, NpgsqlDbType.Double);
            rows++;
        }
    }

    /// <summary>The backtester's read without the models: the same statements, each row decoded.</summary>
    private static long ReadAlone(NpgsqlDataSource dataSource, int sensorId, DateTime start, DateTime end)
    {
        using var connection = dataSource.OpenConnection();
        long rows = 0;
        var sum = 0.0;
        var last = DateTime.MinValue;
        for (var day = start; day < end; day = day.AddDays(1))
        {
            using var reader = connection.BeginBinaryExport(string.Create(CultureInfo.InvariantCulture,
                $"COPY (SELECT ts, value FROM readings WHERE sensor_id = {sensorId} AND ts >= '{day:yyyy-MM-dd'T'HH:mm:ss'Z'}' AND ts < '{day.AddDays(1):yyyy-MM-dd'T'HH:mm:ss'Z'}' ORDER BY ts, sensor_id) TO STDOUT (FORMAT BINARY)"));
            while (reader.StartRow() != -1)
            {
                last = reader.Read<DateTime>(NpgsqlDbType.TimestampTz);
                sum += reader.Read<double>(NpgsqlDbType.Double);
                rows++;
            }
        }
        // Used, so the reads cannot be optimised away.
        return last > start && double.IsFinite(sum) ? rows : -rows;
    }
}
