using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Web.Features.Alerts;

/// <summary>A point of the trend the backtest draws its alarms on (min and max of a bucket, so spikes show).</summary>
public sealed record BacktestTrendPoint(DateTime At, double Min, double Max);

/// <summary>The trend of one sensor the rule watched, downsampled for drawing.</summary>
public sealed record BacktestTrend(string SensorKey, string Unit, IReadOnlyList<BacktestTrendPoint> Points);

/// <summary>A backtest's result with the trends to draw it on.</summary>
public sealed record BacktestReport(BacktestResult Result, IReadOnlyList<BacktestTrend> Trends);

/// <summary>
/// Runs a rule definition over stored history with the live engine's own code (<see cref="RuleEngine"/>), so what
/// it reports is what the engine would have raised.
/// </summary>
public interface IRuleBacktester
{
    /// <summary>Backtests <paramref name="definition"/> over [from, to) (UTC), reporting progress; cancellable.</summary>
    /// <exception cref="ArgumentException">The definition is invalid (see <see cref="RuleValidation"/>).</exception>
    Task<BacktestReport> RunAsync(AlertRuleDefinition definition, DateTime from, DateTime to,
        IProgress<BacktestProgress>? progress, CancellationToken cancellationToken);
}

/// <summary>
/// Reads the raw readings of the sensors the rule binds to (bound against the registry exactly as the live engine
/// binds, through <see cref="RuleEngine"/> itself) from PostgreSQL in time order by binary COPY, one UTC day (one
/// partition) at a time, and feeds them to a <see cref="Backtester"/> that also runs the saved version of the rule
/// on the same readings. Meanwhile it keeps a min/max trend of each sensor for drawing.
/// </summary>
public sealed class RuleBacktester(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    IOptions<AlertOptions> options,
    ILogger<RuleBacktester> logger) : IRuleBacktester
{
    /// <summary>Longest range one backtest reads (raw readings are kept about this long at most).</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(93);

    /// <summary>Points per sensor trend (each the min and max of its bucket).</summary>
    public const int TrendPoints = 1000;

    public async Task<BacktestReport> RunAsync(AlertRuleDefinition definition, DateTime from, DateTime to,
        IProgress<BacktestProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        RuleValidation.ThrowIfInvalid(definition);
        from = DateTime.SpecifyKind(from.ToUniversalTime(), DateTimeKind.Utc);
        to = DateTime.SpecifyKind(to.ToUniversalTime(), DateTimeKind.Utc);
        if (to <= from)
        {
            throw new ArgumentException($"The backtest range must end after it starts ({from:O} to {to:O}).", nameof(to));
        }
        if (to - from > MaxRange)
        {
            throw new ArgumentException($"A backtest covers at most {MaxRange.TotalDays:0} days; {(to - from).TotalDays:0.#} were asked for.", nameof(from));
        }
        var started = Stopwatch.GetTimestamp();
        EngineWorld world;
        AlertRuleDefinition? current;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            world = await EngineWorld.LoadAsync(db, logger, cancellationToken);
            current = (await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Key == definition.Key && r.DeletedAt == null, cancellationToken))?.Definition;
        }
        var o = options.Value;
        var backtester = new Backtester(definition, current, world.Sensors, from, to, new BacktestOptions(o.EngineOptions(), o.ClockInterval));
        var trends = new TrendBuilder(backtester.Sensors, from, to, TrendPoints);
        // The COPY loop is synchronous (per-row async costs more than the model); keep it off the caller's thread.
        await Task.Run(() => Feed(dataSource, backtester, trends, progress, cancellationToken), cancellationToken);
        var result = backtester.Finish(Stopwatch.GetElapsedTime(started));
        progress?.Report(new BacktestProgress(1, result.Readings, result.Alarms.Count));
        return new BacktestReport(result, trends.Build());
    }

    /// <summary>
    /// Reads on one thread and runs the models on another, so a backtest takes about as long as the slower of the two
    /// rather than their sum. Blocks of readings go through a short queue and come back for reuse.
    /// </summary>
    private static void Feed(NpgsqlDataSource dataSource, Backtester backtester, TrendBuilder trends, IProgress<BacktestProgress>? progress, CancellationToken ct)
    {
        var ids = backtester.Sensors.Select(s => s.Id).ToArray();
        if (ids.Length == 0)
        {
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var full = new BlockingCollection<Block>(QueuedBlocks);
        using var empty = new BlockingCollection<Block>();
        for (var i = 0; i < QueuedBlocks + 2; i++)
        {
            empty.Add(new Block());
        }
        var reader = Task.Run(() =>
        {
            try
            {
                Read(dataSource, ids, backtester.From, backtester.To, full, empty, stop.Token);
            }
            finally
            {
                full.CompleteAdding();
            }
        }, CancellationToken.None);
        try
        {
            long fed = 0;
            foreach (var block in full.GetConsumingEnumerable(stop.Token))
            {
                var readings = block.Readings;
                for (var i = 0; i < block.Count; i++)
                {
                    var r = readings[i];
                    backtester.OnReading(r.SensorId, r.Timestamp, r.Value);
                    trends.Add(r.SensorId, r.Timestamp, r.Value);
                }
                fed += block.Count;
                if (block.Count > 0 && (fed & ~(ProgressEvery - 1)) != ((fed - block.Count) & ~(ProgressEvery - 1)))
                {
                    progress?.Report(backtester.Progress(readings[block.Count - 1].Timestamp));
                }
                block.Count = 0;
                empty.Add(block, stop.Token);
            }
        }
        catch
        {
            stop.Cancel();
            throw;
        }
        finally
        {
            // The reader's own failure (the database went away) is the one to report.
            try
            {
                reader.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // Stopped because the models failed; that exception is on its way.
            }
        }
        ct.ThrowIfCancellationRequested();
    }

    private static void Read(NpgsqlDataSource dataSource, int[] ids, DateTime from, DateTime to,
        BlockingCollection<Block> full, BlockingCollection<Block> empty, CancellationToken ct)
    {
        using var connection = dataSource.OpenConnection();
        var block = empty.Take(ct);
        // One day per statement: each is one partition, read in (time, sensor) order through its index.
        for (var start = from; start < to;)
        {
            ct.ThrowIfCancellationRequested();
            var end = Min(start.Date.AddDays(1), to);
            using (var copy = connection.BeginBinaryExport(CopySql(ids, start, end)))
            {
                // One sensor (the usual case) is not sent with every row: a third less to decode.
                var single = ids.Length == 1 ? ids[0] : (int?)null;
                while (copy.StartRow() != -1)
                {
                    block.Readings[block.Count++] = new BacktestReading(
                        single ?? copy.Read<int>(NpgsqlDbType.Integer), copy.Read<DateTime>(NpgsqlDbType.TimestampTz), copy.Read<double>(NpgsqlDbType.Double));
                    if (block.Count == Block.Size)
                    {
                        full.Add(block, ct);
                        block = empty.Take(ct);
                    }
                }
            }
            start = end;
        }
        if (block.Count > 0)
        {
            full.Add(block, ct);
        }
    }

    private const int QueuedBlocks = 8;
    private const int ProgressEvery = 1 << 16;

    private sealed class Block
    {
        public const int Size = 8192;

        public BacktestReading[] Readings { get; } = new BacktestReading[Size];

        public int Count { get; set; }
    }

    /// <summary>COPY takes no parameters: the values are numbers and instants formatted here, never user text.</summary>
    private static string CopySql(int[] ids, DateTime from, DateTime to)
    {
        var (columns, sensors) = ids.Length == 1
            ? ("ts, value", $"sensor_id = {ids[0].ToString(CultureInfo.InvariantCulture)}")
            : ("sensor_id, ts, value", $"sensor_id IN ({string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)))})");
        return $"""
            COPY (SELECT {columns} FROM readings
                  WHERE {sensors} AND ts >= '{Instant(from)}' AND ts < '{Instant(to)}'
                  ORDER BY ts, sensor_id) TO STDOUT (FORMAT BINARY)
            """;
    }

    private static string Instant(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>Min and max of each sensor per bucket of the range, for a chart about <see cref="TrendPoints"/> wide.</summary>
    private sealed class TrendBuilder
    {
        private readonly Dictionary<int, (EngineSensor Sensor, double[] Min, double[] Max)> _series;
        private readonly long _from;
        private readonly long _width;
        private readonly int _buckets;

        public TrendBuilder(IReadOnlyList<EngineSensor> sensors, DateTime from, DateTime to, int points)
        {
            _from = from.Ticks;
            _width = Math.Max(1, (to.Ticks - from.Ticks + points - 1) / points);
            _buckets = (int)Math.Min(points, (to.Ticks - from.Ticks + _width - 1) / _width);
            _series = sensors.ToDictionary(s => s.Id, s =>
            {
                var min = new double[_buckets];
                var max = new double[_buckets];
                Array.Fill(min, double.PositiveInfinity);
                Array.Fill(max, double.NegativeInfinity);
                return (s, min, max);
            });
        }

        public void Add(int sensorId, DateTime at, double value)
        {
            if (!_series.TryGetValue(sensorId, out var s) || !double.IsFinite(value))
            {
                return;
            }
            var i = (int)Math.Clamp((at.Ticks - _from) / _width, 0, _buckets - 1);
            if (value < s.Min[i])
            {
                s.Min[i] = value;
            }
            if (value > s.Max[i])
            {
                s.Max[i] = value;
            }
        }

        public IReadOnlyList<BacktestTrend> Build() =>
        [
            .. _series.Values.Select(s => new BacktestTrend(s.Sensor.Key, s.Sensor.Context.Unit,
            [
                .. Enumerable.Range(0, _buckets).Where(i => s.Min[i] <= s.Max[i])
                    .Select(i => new BacktestTrendPoint(new DateTime(_from + i * _width, DateTimeKind.Utc), s.Min[i], s.Max[i])),
            ])),
        ];
    }
}
