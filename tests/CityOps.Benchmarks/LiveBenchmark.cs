using System.Diagnostics;
using System.Globalization;
using System.Text;
using CityOps.Simulator;
using CityOps.Simulator.World;
using CityOps.Web.Data;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.Benchmarks;

/// <summary>Which parts of the live benchmark run: the SignalR fan-out, the chart (history) queries, or both.</summary>
internal enum LiveBenchmarkPart { All, Fanout, History }

internal sealed record LiveBenchmarkOptions(int Sensors, double MaxRate, int Seconds, int Clients, int SensorsPerClient, int BatchSize, int Concurrency,
    LiveBenchmarkPart Part = LiveBenchmarkPart.All, int HistoryRuns = 20, double Rate = 0, int Repeat = 1, int WarmUpSeconds = 10,
    HubProtocol Protocol = HubProtocol.Json)
{
    public static LiveBenchmarkOptions Parse(string[] args)
    {
        var o = new LiveBenchmarkOptions(10_000, 50_000, 15, 200, 50, 500, 4);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            o = args[i] switch
            {
                "--sensors" => o with { Sensors = int.Parse(value, CultureInfo.InvariantCulture) },
                "--max-rate" => o with { MaxRate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--seconds" => o with { Seconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--clients" => o with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => o with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                "--part" => o with { Part = Enum.Parse<LiveBenchmarkPart>(value, ignoreCase: true) },
                "--rate" => o with { Rate = double.Parse(value, CultureInfo.InvariantCulture) },
                "--repeat" => o with { Repeat = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warm-up" => o with { WarmUpSeconds = int.Parse(value, CultureInfo.InvariantCulture) },
                "--history-runs" => o with { HistoryRuns = int.Parse(value, CultureInfo.InvariantCulture) },
                "--protocol" => o with { Protocol = Enum.Parse<HubProtocol>(value, ignoreCase: true) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// Live path end to end on one private cluster: readings posted over HTTP at a paced rate, aggregates received by
/// SignalR clients of the telemetry hub. Latency is from the 202 of the post that carried a reading to the first
/// receipt of an aggregate whose lastTs is that reading's time (a receipt before the 202 counts as 0). The hub clients
/// run in a child process (<see cref="HubClientFleet"/>); server CPU is this process's CPU time (the server and the
/// load generator) per 1,000 accepted readings, and the clients' CPU is reported apart.
/// The rate is the highest the machine sustained in a calibration run with no clients, capped at --max-rate.
/// </summary>
internal sealed class LiveBenchmark(LiveBenchmarkOptions options)
{
    public async Task<int> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-live-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }
        var cluster = await LocalPostgres.StartAsync(Path.Combine(root, "pg"));
        try
        {
            var port = IngestBenchmark.FreePort();
            await using var app = new IngestBenchmark.BenchmarkApp(cluster.ConnectionString);
            app.UseKestrel(port);
            app.StartServer();
            var baseUrl = $"http://127.0.0.1:{port}";
            Console.WriteLine($"load average at start: {LoadAverage()}");
            if (options.Part != LiveBenchmarkPart.History)
            {
                await FanoutAsync(app.Services, baseUrl, root);
            }
            if (options.Part != LiveBenchmarkPart.Fanout)
            {
                await HistoryQueriesAsync(app.Services, cluster.ConnectionString, options.HistoryRuns);
            }
            Console.WriteLine($"load average at end: {LoadAverage()}");
            return 0;
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await cluster.StopAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private async Task FanoutAsync(IServiceProvider services, string baseUrl, string root)
    {
        var fleet = SyntheticFleet.Create(options.Sensors, 42);
        await IngestBenchmark.RegisterAsync(services, fleet);
        var key = (await services.GetRequiredService<ApiKeyService>().CreateAsync("live benchmark", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
        var keys = fleet.Sensors.Select(s => s.Key).ToArray();
        var keysFile = Path.Combine(root, "sensor-keys.txt");
        await File.WriteAllLinesAsync(keysFile, keys);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency * 2 }) { BaseAddress = new Uri(baseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        Console.WriteLine($"{Environment.ProcessorCount} cores, {options.Sensors:N0} sensors, batches of {options.BatchSize}, {options.Concurrency} posts in flight, {options.Seconds} s per phase, " +
            $"hub protocol {options.Protocol}; hub clients run in a child process, so the CPU figures split server (with the load generator) and clients");

        var rate = options.Rate;
        if (rate <= 0)
        {
            var calibration = await FeedAsync(http, keys, options.MaxRate, TimeSpan.FromSeconds(Math.Min(10, options.Seconds)), null);
            rate = Math.Min(options.MaxRate, Math.Floor(calibration.Achieved * 0.9 / 1000) * 1000);
            Console.WriteLine($"calibration: offered {options.MaxRate:N0}/s, sustained {calibration.Achieved:N0}/s -> phases run at {rate:N0} readings/s");
        }
        else
        {
            Console.WriteLine($"phases run at the given {rate:N0} readings/s (no calibration)");
        }

        // Each sensor gets a reading every keys/rate seconds and at most one aggregate per flush of it.
        var capacity = (int)Math.Ceiling(rate * Math.Max(options.Seconds, options.WarmUpSeconds) / keys.Length) * 2 + 64;
        await using var clientFleet = await HubClientFleet.StartAsync(baseUrl, key, keysFile, capacity, options.Protocol);
        // A server that has run for a while has compiled its hot paths (tiered JIT); so has this one, and so has the
        // client process, before anything is timed.
        var warm = await WithClientsAsync(clientFleet, keys, options.Clients, http, rate, TimeSpan.FromSeconds(options.WarmUpSeconds));
        Console.WriteLine($"warm-up with {options.Clients} clients for {options.WarmUpSeconds} s: p99 {warm.P99:F1} ms (not counted)");
        var none = await FeedAsync(http, keys, rate, TimeSpan.FromSeconds(options.Seconds), null);
        Console.WriteLine($"0 clients:   achieved {none.Achieved,8:N0}/s, server CPU {none.CpuMsPer1000:F1} ms per 1,000 readings; {none.Gc}");
        // Repeated pairs: under a noisy shared load, the ratio of one pair measured back to back is the figure to compare.
        for (var round = 1; round <= options.Repeat; round++)
        {
            Console.WriteLine($"round {round}/{options.Repeat}, load average {LoadAverage()}");
            var one = await WithClientsAsync(clientFleet, keys, 1, http, rate, TimeSpan.FromSeconds(options.Seconds));
            one.Print(1, options.SensorsPerClient);
            var many = await WithClientsAsync(clientFleet, keys, options.Clients, http, rate, TimeSpan.FromSeconds(options.Seconds));
            many.Print(options.Clients, options.SensorsPerClient);
            Console.WriteLine($"p99({options.Clients})/p99(1) = {many.P99 / Math.Max(one.P99, 0.001):F2} (target <= 1.5); p99 target <= 200 ms");
        }
    }

    private sealed record ClientsPhase(FeedResult Feed, double ClientCpuMsPer1000, double P50, double P99, int Matched, int Early, long Overflow, string ClientGc)
    {
        public void Print(int clients, int sensorsPerClient) =>
            Console.WriteLine($"{clients} client(s) x {sensorsPerClient} sensors: achieved {Feed.Achieved,8:N0}/s, server CPU {Feed.CpuMsPer1000:F1} ms and client process " +
                $"{ClientCpuMsPer1000:F1} ms per 1,000 readings; 202 -> client latency p50 {P50:F1} ms, p99 {P99:F1} ms over {Matched:N0} matched readings " +
                $"({Early:N0} arrived before their 202{(Overflow > 0 ? $", {Overflow:N0} receipts not recorded" : "")}); {Feed.Gc}; {ClientGc}");
    }

    private async Task<ClientsPhase> WithClientsAsync(HubClientFleet fleet, string[] keys, int clients, HttpClient http, double rate, TimeSpan duration)
    {
        await fleet.ConnectAsync(clients, options.SensorsPerClient);
        var tracked = new bool[keys.Length];
        for (var i = 0; i < clients * options.SensorsPerClient; i++)
        {
            tracked[i % keys.Length] = true;
        }
        var clientCpu = fleet.Cpu;
        var result = await FeedAsync(http, keys, rate, duration, tracked);
        // Aggregates of the last posts are at most one flush behind.
        await Task.Delay(500);
        clientCpu = fleet.Cpu - clientCpu;
        var receipts = await fleet.CollectAsync();
        var latencies = new List<double>();
        var early = 0;
        foreach (var ack in result.Acks!)
        {
            if (!ack.Accepted)
            {
                continue;
            }
            for (var i = 0; i < options.BatchSize; i++)
            {
                var sensor = (int)((ack.Batch * options.BatchSize + i) % keys.Length);
                if (tracked[sensor] && receipts.TryGetFirst(sensor, ack.ReadingTicks, out var received))
                {
                    early += received < ack.AckedAt ? 1 : 0;
                    latencies.Add(received < ack.AckedAt ? 0 : Stopwatch.GetElapsedTime(ack.AckedAt, received).TotalMilliseconds);
                }
            }
        }
        latencies.Sort();
        var accepted = result.Achieved * duration.TotalSeconds;
        return new ClientsPhase(result, accepted == 0 ? double.NaN : clientCpu.TotalMilliseconds / accepted * 1000,
            Percentile(latencies, 0.5), Percentile(latencies, 0.99), latencies.Count, early, receipts.Overflow, fleet.Gc);
    }

    private const int HistorySensors = 100;
    private const int HistoryDays = 30;
    
    /// <summary>
    /// The chart queries over 30 days of backfilled history of 100 sensors (one raw reading per sensor every 60 s,
    /// rollups built from them as the rollup worker would, all written in time order as live ingest writes them): 1-minute rollups for the last 24 h and hourly rollups for
    /// the last 30 days, against the same aggregates computed from the raw readings. The product's packer packs the
    /// closed hours and days before the reads are timed, as it would have during live ingest.
    /// </summary>
    private static async Task HistoryQueriesAsync(IServiceProvider services, string connectionString, int runs)
    {
        var ids = Enumerable.Range(1, HistorySensors).ToArray();
        var now = DateTime.UtcNow;
        var end = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc).AddHours(-1);
        var start = end.AddDays(-HistoryDays);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await services.GetRequiredService<ReadingsPartitions>().EnsureAsync(connection, start, end, CancellationToken.None);
            var watch = Stopwatch.StartNew();
            await ExecuteAsync(connection, """
                INSERT INTO readings (sensor_id, ts, value)
                SELECT s, t, 20 + 5 * sin(extract(epoch FROM t) / 3600 + s) + random()
                FROM generate_series(@start, @end - interval '1 minute', interval '1 minute') t, unnest(@ids) s
                ORDER BY t, s
                ON CONFLICT DO NOTHING
                """, ids, start, end);
            // The backfill writes rollups directly (not through recomputation), so packing starts over from the earliest
            // rollup row: held off (watermarks at infinity) in the backfill's transaction, under the rollup worker's
            // lock, and resumed once the backfill is vacuumed (the packer finds a period's rows through BRIN
            // summaries, which autovacuum keeps current during live ingest).
            await using (var tx = await connection.BeginTransactionAsync())
            {
                await ExecuteAsync(connection, RollupWorker.LockSql, ids, start, end);
                await ExecuteAsync(connection, """
                    INSERT INTO rollup_1m (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
                    SELECT sensor_id, date_trunc('minute', ts), count(*), sum(value), min(value), max(value), sum(value * value),
                           min(ts), (array_agg(value ORDER BY ts))[1], max(ts), (array_agg(value ORDER BY ts DESC))[1]
                    FROM readings WHERE sensor_id = ANY(@ids) AND ts >= @start AND ts < @end GROUP BY 1, 2
                    ORDER BY 2, 1
                    ON CONFLICT DO NOTHING
                    """, ids, start, end);
                await ExecuteAsync(connection, """
                    INSERT INTO rollup_1h (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
                    SELECT sensor_id, date_trunc('hour', bucket), sum(count), sum(sum), min(min), max(max), sum(sum_sq),
                           min(first_ts), (array_agg(first_value ORDER BY first_ts))[1], max(last_ts), (array_agg(last_value ORDER BY last_ts DESC))[1]
                    FROM rollup_1m WHERE sensor_id = ANY(@ids) AND bucket >= @start AND bucket < @end GROUP BY 1, 2
                    ORDER BY 2, 1
                    ON CONFLICT DO NOTHING
                    """, ids, start, end);
                await ExecuteAsync(connection, "TRUNCATE rollup_1m_by_hour, rollup_1h_by_day; UPDATE rollup_packing SET packed_through = 'infinity'", ids, start, end);
                await tx.CommitAsync();
            }
            // Autovacuum keeps up with the live inserts (the rollup tables are vacuumed every 20,000 rows); after a
            // bulk backfill, bring the visibility map to that steady state at once.
            await ExecuteAsync(connection, "VACUUM ANALYZE readings", ids, start, end);
            await ExecuteAsync(connection, "VACUUM ANALYZE rollup_1m", ids, start, end);
            await ExecuteAsync(connection, "VACUUM ANALYZE rollup_1h", ids, start, end);
            await ExecuteAsync(connection, "UPDATE rollup_packing SET packed_through = NULL", ids, start, end);
            var packWatch = Stopwatch.StartNew();
            var packer = services.GetRequiredService<RollupPacker>();
            while (await packer.PackAsync(CancellationToken.None) > 0)
            {
            }
            Console.WriteLine($"history: packed by the product's RollupPacker in {packWatch.Elapsed.TotalSeconds:F1} s");
            await ExecuteAsync(connection, "VACUUM ANALYZE rollup_1m_by_hour", ids, start, end);
            await ExecuteAsync(connection, "VACUUM ANALYZE rollup_1h_by_day", ids, start, end);
            Console.WriteLine($"history: {HistorySensors} sensors x {HistoryDays} days backfilled (1 raw reading/min) in {watch.Elapsed.TotalSeconds:F0} s");
        }
        var reader = services.GetRequiredService<RollupSeriesReader>();
        var dayFrom = end.AddDays(-1);
        var monthFrom = end.AddDays(-HistoryDays);
        await ExplainAsync(connectionString, RollupSeriesReader.Sql(RollupResolution.Minute), ids, dayFrom, end);
        await ExplainAsync(connectionString, RollupSeriesReader.Sql(RollupResolution.Hour), ids, monthFrom, end);
        // Interleaved, so that load changes during the runs hit every query alike.
        var timed = await TimeInterleavedAsync(runs, [
            ("day", () => ReadProductAsync(reader, ids, RollupResolution.Minute, dayFrom, end)),
            ("day rows", () => ReadRowsAsync(connectionString, RowsSql("rollup_1m"), ids, dayFrom, end)),
            ("day raw", () => ReadRowsAsync(connectionString, FromRawSql("1 minute"), ids, dayFrom, end)),
            ("month", () => ReadProductAsync(reader, ids, RollupResolution.Hour, monthFrom, end)),
            ("month rows", () => ReadRowsAsync(connectionString, RowsSql("rollup_1h"), ids, monthFrom, end)),
            ("month raw", () => ReadRowsAsync(connectionString, FromRawSql("1 hour"), ids, monthFrom, end)),
        ]);
        foreach (var (name, label) in new[] { ("day", "100 sensors, last 24 h, 1-minute rollups"), ("month", "100 sensors, last 30 days, hourly rollups") })
        {
            var (product, productP50, points) = timed[name];
            var (rows, rowsP50, rowPoints) = timed[name + " rows"];
            var (raw, rawP50, rawPoints) = timed[name + " raw"];
            Console.WriteLine($"{label}: p95 {product:F1} ms, p50 {productP50:F1} ms ({points:N0} buckets, product reader) (target p95 <= 50 ms); " +
                $"one row per bucket (the reader before packing) p95 {rows:F1} ms, p50 {rowsP50:F1} ms ({rowPoints:N0}), rows/packed {rows / product:F1}x; " +
                $"from raw readings p95 {raw:F1} ms, p50 {rawP50:F1} ms ({rawPoints:N0} buckets), raw/rollup {raw / product:F1}x");
        }
    }

    /// <summary>The same answer read as one row per bucket through the covering key, as the reader did before packing.</summary>
    private static string RowsSql(string table) => $"""
        SELECT sensor_id, bucket, count, min, max, sum / count FROM {table}
        WHERE sensor_id = ANY($1) AND bucket >= $2 AND bucket < $3 AND count > 0
        ORDER BY sensor_id, bucket
        """;

    /// <summary>The same answer as the product's rollup read, computed from the raw readings.</summary>
    private static string FromRawSql(string width) => $"""
        SELECT sensor_id, date_bin('{width}', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, count(*), min(value), max(value), avg(value)
        FROM readings WHERE sensor_id = ANY($1) AND ts >= $2 AND ts < $3
        GROUP BY 1, 2 ORDER BY 1, 2
        """;

    private static async Task<long> ReadProductAsync(RollupSeriesReader reader, int[] ids, RollupResolution resolution, DateTime from, DateTime end)
    {
        long points = 0;
        foreach (var series in await reader.ReadAsync(ids, resolution, from, end, CancellationToken.None))
        {
            points += series.Count;
        }
        return points;
    }

    private static async Task<long> ReadRowsAsync(string connectionString, string sql, int[] ids, DateTime from, DateTime end)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, ids, from, end);
        await using var reader = await command.ExecuteReaderAsync();
        long rows = 0;
        while (await reader.ReadAsync())
        {
            _ = reader.GetInt32(0);
            _ = reader.GetDateTime(1);
            _ = reader.GetInt64(2);
            _ = reader.GetDouble(3);
            _ = reader.GetDouble(4);
            _ = reader.GetDouble(5);
            rows++;
        }
        return rows;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, int[] ids, DateTime from, DateTime end) => new(sql, connection)
    {
        Parameters =
        {
            new NpgsqlParameter<int[]> { TypedValue = ids },
            new NpgsqlParameter<DateTime> { TypedValue = from },
            new NpgsqlParameter<DateTime> { TypedValue = end },
        },
    };

    /// <summary>The plan the product's chart reads execute: a prepared statement's generic plan (see <see cref="ReadingsDatabase.ChartReads"/>).</summary>
    private static async Task ExplainAsync(string connectionString, string sql, int[] ids, DateTime from, DateTime end)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var prepare = new NpgsqlCommand("SET plan_cache_mode = force_generic_plan; PREPARE chart(int[], timestamptz, timestamptz) AS " + sql, connection))
        {
            await prepare.ExecuteNonQueryAsync();
        }
        var literal = string.Create(CultureInfo.InvariantCulture, $"'{{{string.Join(",", ids)}}}', '{from:O}', '{end:O}'");
        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, BUFFERS) EXECUTE chart({literal})", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            Console.WriteLine("  | " + reader.GetString(0));
        }
    }

    /// <summary>p95 and p50 in ms and the last answer's size of each query, all run once per round; the first round warms caches and plans and is not counted.</summary>
    private static async Task<Dictionary<string, (double P95, double P50, long Size)>> TimeInterleavedAsync(int runs, (string Name, Func<Task<long>> Run)[] queries)
    {
        var times = queries.ToDictionary(q => q.Name, _ => new List<double>());
        var sizes = new Dictionary<string, long>();
        for (var run = 0; run <= runs; run++)
        {
            foreach (var (name, query) in queries)
            {
                var watch = Stopwatch.StartNew();
                sizes[name] = await query();
                if (run > 0)
                {
                    times[name].Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }
        return queries.ToDictionary(q => q.Name, q =>
        {
            var sorted = times[q.Name];
            sorted.Sort();
            return (Percentile(sorted, 0.95), Percentile(sorted, 0.5), sizes[q.Name]);
        });
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, int[] ids, DateTime start, DateTime end)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        if (sql.Contains("@ids", StringComparison.Ordinal))
        {
            command.Parameters.AddWithValue("ids", ids);
            command.Parameters.AddWithValue("start", start);
            command.Parameters.AddWithValue("end", end);
        }
        await command.ExecuteNonQueryAsync();
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>One post: its batch number (its items are sensors batch·size … batch·size+size−1, modulo the fleet), the reading time of all its items and when its answer came.</summary>
    private readonly record struct Ack(long Batch, long ReadingTicks, long AckedAt, bool Accepted);

    private sealed record FeedResult(double Achieved, double CpuMsPer1000, Ack[]? Acks, string Gc);

    /// <summary>Posts readings round-robin over the sensors, paced to <paramref name="rate"/>, with the send time as reading time.</summary>
    private async Task<FeedResult> FeedAsync(HttpClient http, string[] keys, double rate, TimeSpan duration, bool[]? tracked)
    {
        var batches = (int)Math.Ceiling(rate * duration.TotalSeconds / options.BatchSize) + 1;
        var acks = tracked is null ? null : new Ack[batches];
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var gcBefore = (Gen0: GC.CollectionCount(0), Gen1: GC.CollectionCount(1), Gen2: GC.CollectionCount(2), Pause: GC.GetTotalPauseDuration());
        var started = Stopwatch.GetTimestamp();
        long nextBatch = -1;
        long accepted = 0;
        async Task Worker()
        {
            while (true)
            {
                var batch = Interlocked.Increment(ref nextBatch);
                var due = TimeSpan.FromSeconds(batch * options.BatchSize / rate);
                if (due >= duration || batch >= batches)
                {
                    return;
                }
                var wait = due - Stopwatch.GetElapsedTime(started);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                var ts = DateTime.UtcNow;
                ts = new DateTime(ts.Ticks - ts.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
                var body = new StringBuilder(options.BatchSize * 80).Append('[');
                for (var i = 0; i < options.BatchSize; i++)
                {
                    var k = keys[(batch * options.BatchSize + i) % keys.Length];
                    body.Append(i == 0 ? "" : ",").Append("{\"sensor\":\"").Append(k).Append("\",\"ts\":\"").Append(ts.ToString("O", CultureInfo.InvariantCulture))
                        .Append("\",\"value\":").Append((20 + (batch + i) % 17).ToString(CultureInfo.InvariantCulture)).Append('}');
                }
                using var response = await http.PostAsync("/api/v1/readings", new StringContent(body.Append(']').ToString(), Encoding.UTF8, "application/json"));
                var acked = Stopwatch.GetTimestamp();
                var ok = (int)response.StatusCode == 202;
                if (acks is not null)
                {
                    acks[batch] = new Ack(batch, ts.Ticks, acked, ok);
                }
                if (ok)
                {
                    Interlocked.Add(ref accepted, options.BatchSize);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(Worker)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var gc = $"server GCs gen0/1/2 {GC.CollectionCount(0) - gcBefore.Gen0}/{GC.CollectionCount(1) - gcBefore.Gen1}/{GC.CollectionCount(2) - gcBefore.Gen2}, " +
            $"paused {(GC.GetTotalPauseDuration() - gcBefore.Pause).TotalMilliseconds:F0} ms";
        return new FeedResult(accepted / elapsed.TotalSeconds, accepted == 0 ? double.NaN : cpu.TotalMilliseconds / accepted * 1000, acks, gc);
    }
}
