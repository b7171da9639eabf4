using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CityOps.Simulator;
using CityOps.Simulator.Fleet;
using CityOps.Simulator.World;
using CityOps.Web.Data;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.Benchmarks;

/// <summary>
/// Ingest throughput on one fresh private cluster: (a) the floor, psql \copy of CSV into an unindexed table;
/// (b) the naive baseline, EF Core AddRange + SaveChanges per 1,000; (c) CityOps end to end over HTTP with the
/// simulator's fleet client (durable acknowledgement, rollups maintained).
/// </summary>
internal sealed class IngestBenchmark(IngestBenchmarkOptions options)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }
        var cluster = await LocalPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            Console.WriteLine($"cluster {cluster.ConnectionString.Split(';')[1]}, {options.Readings:N0} readings over {options.Sensors:N0} sensors");
            var fleet = SyntheticFleet.Create(options.Sensors, options.Seed);
            // Recent enough to lie inside raw retention, old enough that no reading is in the future.
            var start = DateTimeOffset.UtcNow.AddHours(-2);
            var readings = await MaterialiseAsync(SyntheticFleet.Readings(fleet, options.Readings, start, options.Seed), options.Readings);
            var sensorIndex = fleet.Sensors.Select((s, i) => (s.Key, Id: i + 1)).ToDictionary(x => x.Key, x => x.Id);

            var cpu = new CpuMeter(cluster.DataDirectory);
            // The floor is a few seconds of one process and moves with the machine's other work more than (c) does: it
            // is measured before and after (c), and the ratio takes the mean of the two.
            var csv = await WriteFloorCsvAsync(root, readings, sensorIndex);
            var floorBefore = await FloorAsync(cluster, csv, readings.Length, cpu);
            Report("(a) floor: psql \\copy CSV, unindexed (before)", floorBefore);
            var naive = await NaiveAsync(cluster, readings, sensorIndex);
            Report("(b) naive: EF Core AddRange+SaveChanges/1000", naive);
            var cityOps = await CityOpsAsync(cluster, fleet, readings, cpu);
            Report("(c) CityOps HTTP end to end", cityOps);
            var floorAfter = await FloorAsync(cluster, csv, readings.Length, cpu);
            Report("(a) floor: psql \\copy CSV, unindexed (after)", floorAfter);
            var floor = (floorBefore + floorAfter) / 2;
            Report("(a) floor, mean", floor);
            Console.WriteLine($"c/a = {cityOps / floor:F2} (target >= 0.3)   c/b = {cityOps / naive:F1} (target >= 10)");
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Report(string what, double perSecond) => Console.WriteLine($"{what,-48} {perSecond,12:N0} readings/s");

    private static async Task<SimReading[]> MaterialiseAsync(IReadingSource source, long count)
    {
        var all = new SimReading[count];
        var filled = 0;
        while (filled < count)
        {
            var n = await source.ReadAsync(all.AsMemory(filled, (int)Math.Min(100_000, count - filled)), CancellationToken.None);
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        return all;
    }

    private static async Task<string> WriteFloorCsvAsync(string root, SimReading[] readings, Dictionary<string, int> ids)
    {
        var csv = Path.Combine(root, "readings.csv");
        await using (var writer = new StreamWriter(csv, false, new System.Text.UTF8Encoding(false), 1 << 20))
        {
            foreach (var r in readings)
            {
                await writer.WriteLineAsync(string.Create(Inv, $"{ids[r.SensorKey]},{r.Timestamp:yyyy-MM-dd HH:mm:ss.fff}+00,{r.Value}"));
            }
        }
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(csv, (UnixFileMode)0b110_100_100);
        }
        return csv;
    }

    /// <summary>psql \copy of the CSV into a fresh unindexed table; readings per second.</summary>
    private static async Task<double> FloorAsync(LocalPostgres cluster, string csv, int count, CpuMeter cpu)
    {
        await ExecuteAsync(cluster.ConnectionString, "DROP TABLE IF EXISTS floor_readings; CREATE TABLE floor_readings (sensor_id int, ts timestamptz, value float8)");
        // Measured on a quiet cluster both times: no autovacuum of what (c) wrote, no dirty buffers left to write.
        for (var waited = 0; waited < 120
            && (long)(await ScalarAsync(cluster.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"))! > 0; waited++)
        {
            await Task.Delay(500);
        }
        await ExecuteAsync(cluster.ConnectionString, "CHECKPOINT");
        var psi = new ProcessStartInfo("/usr/bin/psql",
            ["-h", "127.0.0.1", "-p", cluster.Port.ToString(Inv), "-U", "postgres", "-d", LocalPostgres.DatabaseName, "-v", "ON_ERROR_STOP=1",
             "-c", $"\\copy floor_readings FROM '{csv}' WITH (FORMAT csv)"])
        {
            Environment = { ["PGPASSWORD"] = cluster.Password },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var cpuBefore = cpu.Read();
        var watch = Stopwatch.StartNew();
        using var psql = Process.Start(psi)!;
        var stderr = psql.StandardError.ReadToEndAsync();
        await psql.StandardOutput.ReadToEndAsync();
        await psql.WaitForExitAsync();
        watch.Stop();
        if (psql.ExitCode != 0)
        {
            throw new InvalidOperationException("psql failed: " + await stderr);
        }
        await cpu.SettleAsync();
        Console.WriteLine("    " + CpuMeter.PerReading(cpuBefore, cpu.Read(), count) + " (this process: psql)");
        return count / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> NaiveAsync(LocalPostgres cluster, SimReading[] readings, Dictionary<string, int> ids)
    {
        await ExecuteAsync(cluster.ConnectionString,
            "CREATE TABLE naive_readings (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, sensor_id int NOT NULL, ts timestamptz NOT NULL, value float8 NOT NULL)");
        var dbOptions = new DbContextOptionsBuilder<NaiveDbContext>()
            .UseNpgsql(cluster.ConnectionString).UseSnakeCaseNamingConvention().Options;
        var count = Math.Min(options.NaiveCap, readings.Length);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i += 1000)
        {
            await using var db = new NaiveDbContext(dbOptions);
            db.Readings.AddRange(readings.Skip(i).Take(Math.Min(1000, count - i))
                .Select(r => new NaiveReading { SensorId = ids[r.SensorKey], Ts = r.Timestamp.UtcDateTime, Value = r.Value }));
            await db.SaveChangesAsync();
        }
        watch.Stop();
        return count / watch.Elapsed.TotalSeconds;
    }

    private async Task<double> CityOpsAsync(LocalPostgres cluster, WorldDefinition fleet, SimReading[] readings, CpuMeter cpu)
    {
        var port = FreePort();
        await using var app = new BenchmarkApp(cluster.ConnectionString);
        app.UseKestrel(port);
        app.StartServer();
        await RegisterAsync(app.Services, fleet);
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync("benchmark", ApiKeyScopes.Ingest);

        using var client = new FleetClient(new FleetClientOptions
        {
            Target = new Uri($"http://127.0.0.1:{port}"),
            ApiKey = key.Secret,
            BatchSize = options.BatchSize,
            Concurrency = options.Concurrency,
            RecordLatencies = true,
        });
        // A server runs for months; the first minutes of a fresh process are spent compiling its hot paths (tiered JIT
        // with profile-guided recompilation), which is start-up cost, not ingest cost. Warm-up rounds are sent, stored
        // and rolled up, untimed, until a round compiles fewer than WarmUpSettledMethods new methods. (With 200, the
        // warm-up ended after a few rounds while tiering went on recompiling thousands of methods in the timed phase.)
        await WarmUpAsync(app, client, fleet, readings[0].Timestamp);
        var walBefore = await WalAsync(cluster.ConnectionString);
        var cpuBefore = cpu.Read();
        var jitBefore = System.Runtime.JitInfo.GetCompilationTime();
        var methodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
        var stats = await client.SendAsync(readings);
        // The rollup worker stores the acknowledged readings in readings and merges them into the rollups about one
        // interval after they were committed; the time it takes to catch up counts too.
        var catchUp = Stopwatch.StartNew();
        await app.Services.GetRequiredService<RollupWorker>().FlushAsync();
        catchUp.Stop();
        var cpuAfter = cpu.Read();
        var walAfter = await WalAsync(cluster.ConnectionString);
        var since = readings.Min(r => r.Timestamp).UtcDateTime;
        var stored = (long)(await ScalarAsync(cluster.ConnectionString, "SELECT count(*) FROM readings WHERE ts >= @since", since))!;
        var rolled = (long)(await ScalarAsync(cluster.ConnectionString, "SELECT coalesce(sum(count), 0)::bigint FROM rollup_1h WHERE bucket >= date_trunc('hour', @since)", since))!;
        Console.WriteLine($"    sent {stats.Sent:N0}, accepted {stats.Accepted:N0}, failed {stats.Failed:N0}, retries {stats.Retries}, requests {stats.Requests:N0}; " +
            $"stored {stored:N0}, in hourly rollups {rolled:N0}; latency p50 {stats.LatencyPercentile(0.5).TotalMilliseconds:F0} ms, " +
            $"p99 {stats.LatencyPercentile(0.99).TotalMilliseconds:F0} ms; stored and rolled up {catchUp.Elapsed.TotalMilliseconds:F0} ms after the last 202");
        Console.WriteLine("    " + CpuMeter.PerReading(cpuBefore, cpuAfter, readings.Length) + " (this process: client and server)");
        Console.WriteLine($"    JIT while timed: {System.Runtime.JitInfo.GetCompiledMethodCount() - methodsBefore:N0} methods, " +
            $"{(System.Runtime.JitInfo.GetCompilationTime() - jitBefore).TotalMilliseconds:F0} ms");
        Console.WriteLine($"    WAL per reading {(double)(walAfter.Bytes - walBefore.Bytes) / readings.Length:F0} bytes " +
            $"({walAfter.FullPageImages - walBefore.FullPageImages:N0} full-page images); WAL flushes {walAfter.Syncs - walBefore.Syncs:N0}");
        if (stored != readings.Length || rolled != readings.Length)
        {
            throw new InvalidOperationException($"expected {readings.Length} readings stored and rolled up");
        }
        return stats.Accepted / (stats.Elapsed + catchUp.Elapsed).TotalSeconds;
    }

    private const int WarmUpSettledMethods = 20;
    private const int WarmUpMaxRounds = 40;

    private async Task WarmUpAsync(BenchmarkApp app, FleetClient client, WorldDefinition fleet, DateTimeOffset measuredStart)
    {
        if (options.WarmUp <= 0)
        {
            return;
        }
        // Two hours before the measured readings, so the two never share a (sensor, time) pair or an hour bucket.
        var roundSeconds = (options.WarmUp + options.Sensors - 1) / options.Sensors + 1;
        long sent = 0;
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitStart = System.Runtime.JitInfo.GetCompilationTime();
        for (var round = 0; round < WarmUpMaxRounds; round++)
        {
            var from = measuredStart.AddHours(-2).AddSeconds(round * roundSeconds);
            var batch = await MaterialiseAsync(SyntheticFleet.Readings(fleet, options.WarmUp, from, options.Seed), options.WarmUp);
            sent += (await client.SendAsync(batch)).Accepted;
            await app.Services.GetRequiredService<RollupWorker>().FlushAsync();
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            var added = now - compiled;
            compiled = now;
            if (added < WarmUpSettledMethods)
            {
                Console.WriteLine($"    warm-up: {round + 1} rounds, {sent:N0} readings stored untimed; the last round compiled {added} methods " +
                    $"(JIT time during warm-up {(System.Runtime.JitInfo.GetCompilationTime() - jitStart).TotalSeconds:F1} s)");
                return;
            }
        }
        Console.WriteLine($"    warm-up: JIT still busy after {WarmUpMaxRounds} rounds ({sent:N0} readings); timing anyway");
    }

    internal static async Task RegisterAsync(IServiceProvider services, WorldDefinition fleet)
    {
        var factory = services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var sites = fleet.Sites.ToDictionary(s => s.Key, s => new Site
            {
                Key = s.Key, Name = s.Name, Kind = s.Kind, Latitude = s.Latitude, Longitude = s.Longitude, Zoom = s.Zoom, TimeZone = s.TimeZone,
            });
            var assets = new Dictionary<string, Asset>();
            foreach (var a in fleet.Assets)
            {
                assets[a.Key] = new Asset
                {
                    Key = a.Key, Name = a.Name, Type = a.Type, Site = sites[a.SiteKey], Latitude = a.Latitude, Longitude = a.Longitude,
                    Parent = a.ParentKey is null ? null : assets[a.ParentKey],
                };
            }
            db.Sensors.AddRange(fleet.Sensors.Select(s => new Sensor
            {
                Key = s.Key, Asset = assets[s.AssetKey], Metric = s.Metric, Unit = s.Unit, Min = s.Min, Max = s.Max,
                IntervalSeconds = s.IntervalSeconds, Latitude = s.Latitude, Longitude = s.Longitude,
            }));
            await db.SaveChangesAsync();
        }
        await services.GetRequiredService<SensorCatalog>().RefreshAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The cluster's WAL statistics so far (<c>pg_stat_wal</c>): bytes written, full-page images, syncs.</summary>
    private static async Task<(long Bytes, long FullPageImages, long Syncs)> WalAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT wal_bytes::bigint, wal_fpi, wal_sync FROM pg_stat_wal", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql, DateTime? since = null)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (since is { } s)
        {
            cmd.Parameters.Add(new("since", s));
        }
        return await cmd.ExecuteScalarAsync();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CityOps.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("CityOps.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The real application on Kestrel against the benchmark cluster.</summary>
    internal sealed class BenchmarkApp(string connectionString) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseContentRoot(Path.Combine(RepositoryRoot(), "src", "CityOps.Web"));
            builder.UseSetting("ConnectionStrings:CityOps", connectionString);
            builder.UseSetting("Database:MigrateOnStartup", "true");
            builder.UseSetting("CityOps:DemoMode", "false");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Logging:LogLevel:CityOps.Web.Features.Ingest.IngestWriter", Environment.GetEnvironmentVariable("BENCH_WRITER_LOG") ?? "Warning");
            builder.UseSetting("Logging:LogLevel:CityOps.Web.Features.Ingest.RollupWorker", Environment.GetEnvironmentVariable("BENCH_ROLLUP_LOG") ?? "Warning");
            builder.UseSetting("Logging:LogLevel:CityOps.Web.Features.Ingest.RollupPacker", Environment.GetEnvironmentVariable("BENCH_ROLLUP_LOG") ?? "Warning");
        }
    }
}
