using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>The width of a rollup bucket, which is also the table it lives in.</summary>
public enum RollupResolution { Minute, Hour }

/// <summary>
/// One sensor's rollup buckets in time order, column by column: bucket start (UTC), readings in the bucket, their
/// min, max and mean. Buckets without readings are absent.
/// </summary>
public sealed class RollupSeries(int sensorId, DateTime[] buckets, long[] counts, double[] min, double[] max, double[] mean)
{
    public int SensorId { get; } = sensorId;

    public DateTime[] Buckets { get; } = buckets;

    public long[] Counts { get; } = counts;

    public double[] Min { get; } = min;

    public double[] Max { get; } = max;

    public double[] Mean { get; } = mean;

    public int Count => Buckets.Length;

    public static RollupSeries Empty(int sensorId) => new(sensorId, [], [], [], [], []);
}

/// <summary>
/// The one read of rollups for charts and the series API, for one sensor or many. One statement per request: the
/// rows of all sensors are read through the covering key <c>(sensor_id, bucket) INCLUDE (count, sum, min, max)</c>
/// as an index-only scan in key order (no heap page, no sort) and streamed with typed binary getters straight into
/// each sensor's columns. Folding each sensor's rows into arrays in SQL (<c>array_agg</c>, 100 rows instead of
/// 144,000) was measured slower: building and sending the arrays cost the server more than the rows save the client.
/// </summary>
internal sealed class RollupSeriesReader(ReadingsDatabase database)
{
    private const string SqlTemplate = """
        SELECT sensor_id, bucket, count, min, max, sum / count FROM {0}
        WHERE sensor_id = ANY($1) AND bucket >= $2 AND bucket < $3 AND count > 0
        ORDER BY sensor_id, bucket
        """;

    private static readonly string MinuteSql = string.Format(System.Globalization.CultureInfo.InvariantCulture, SqlTemplate, "rollup_1m");
    private static readonly string HourSql = string.Format(System.Globalization.CultureInfo.InvariantCulture, SqlTemplate, "rollup_1h");

    /// <summary>The statement <see cref="ReadAsync(IReadOnlyList{int}, RollupResolution, DateTime, DateTime, CancellationToken)"/> runs (for plans and benchmarks).</summary>
    public static string Sql(RollupResolution resolution) => resolution == RollupResolution.Minute ? MinuteSql : HourSql;

    public static TimeSpan Width(RollupResolution resolution) => resolution == RollupResolution.Minute ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1);

    /// <summary>The start of the bucket that holds <paramref name="utc"/> (buckets are aligned to UTC minutes and hours).</summary>
    public static DateTime BucketOf(DateTime utc, RollupResolution resolution)
    {
        var width = Width(resolution).Ticks;
        return new DateTime(utc.Ticks - utc.Ticks % width, DateTimeKind.Utc);
    }

    /// <summary>
    /// The buckets starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>) of each sensor, in the order of
    /// <paramref name="sensorIds"/>; a sensor without buckets in the range gets an empty series.
    /// </summary>
    public async Task<RollupSeries[]> ReadAsync(
        IReadOnlyList<int> sensorIds, RollupResolution resolution, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        var found = new Dictionary<int, RollupSeries>(sensorIds.Count);
        if (sensorIds.Count > 0)
        {
            await using var cmd = database.DataSource.CreateCommand(Sql(resolution));
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. sensorIds] });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.SpecifyKind(fromUtc, DateTimeKind.Utc) });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.SpecifyKind(toUtc, DateTimeKind.Utc) });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            var columns = new Columns();
            var sensorId = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt32(0);
                if (id != sensorId && columns.Count > 0)
                {
                    found[sensorId] = columns.Take(sensorId);
                }
                sensorId = id;
                columns.Add(reader.GetDateTime(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5));
            }
            if (columns.Count > 0)
            {
                found[sensorId] = columns.Take(sensorId);
            }
        }
        var result = new RollupSeries[sensorIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = found.GetValueOrDefault(sensorIds[i]) ?? RollupSeries.Empty(sensorIds[i]);
        }
        return result;
    }

    /// <summary>One sensor's buckets starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>).</summary>
    public async Task<RollupSeries> ReadAsync(int sensorId, RollupResolution resolution, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken) =>
        (await ReadAsync([sensorId], resolution, fromUtc, toUtc, cancellationToken))[0];

    /// <summary>The rows of the sensor being read, reused from one sensor to the next.</summary>
    private sealed class Columns
    {
        private readonly List<DateTime> _buckets = [];
        private readonly List<long> _counts = [];
        private readonly List<double> _min = [];
        private readonly List<double> _max = [];
        private readonly List<double> _mean = [];

        public int Count => _buckets.Count;

        public void Add(DateTime bucket, long count, double min, double max, double mean)
        {
            _buckets.Add(bucket);
            _counts.Add(count);
            _min.Add(min);
            _max.Add(max);
            _mean.Add(mean);
        }

        public RollupSeries Take(int sensorId)
        {
            var series = new RollupSeries(sensorId, [.. _buckets], [.. _counts], [.. _min], [.. _max], [.. _mean]);
            _buckets.Clear();
            _counts.Clear();
            _min.Clear();
            _max.Clear();
            _mean.Clear();
            return series;
        }
    }
}
