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
/// as an index-only scan in key order, and folded in SQL into one row of arrays per sensor, so 100 sensors over a
/// day of minutes come back as 100 rows of binary arrays instead of 144,000 rows of five fields each.
/// </summary>
internal sealed class RollupSeriesReader(ReadingsDatabase database)
{
    // array_agg keeps its input order, and the ordered subquery feeds each sensor's rows in bucket order straight
    // from the index (no sort). An ORDER BY inside each array_agg would instead sort every column separately on
    // PostgreSQL 15. The reader still checks the order and sorts if it ever differs.
    private const string SqlTemplate = """
        SELECT sensor_id, array_agg(bucket), array_agg(count), array_agg(min), array_agg(max), array_agg(mean)
        FROM (
            SELECT sensor_id, bucket, count, min, max, sum / count AS mean FROM {0}
            WHERE sensor_id = ANY($1) AND bucket >= $2 AND bucket < $3 AND count > 0
            ORDER BY sensor_id, bucket
        ) AS b
        GROUP BY sensor_id
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
            while (await reader.ReadAsync(cancellationToken))
            {
                var series = new RollupSeries(reader.GetInt32(0), reader.GetFieldValue<DateTime[]>(1), reader.GetFieldValue<long[]>(2),
                    reader.GetFieldValue<double[]>(3), reader.GetFieldValue<double[]>(4), reader.GetFieldValue<double[]>(5));
                found[series.SensorId] = InBucketOrder(series);
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

    private static RollupSeries InBucketOrder(RollupSeries series)
    {
        var buckets = series.Buckets;
        for (var i = 1; i < buckets.Length; i++)
        {
            if (buckets[i] <= buckets[i - 1])
            {
                var order = Enumerable.Range(0, buckets.Length).ToArray();
                Array.Sort((DateTime[])buckets.Clone(), order);
                return new RollupSeries(series.SensorId, [.. order.Select(j => buckets[j])], [.. order.Select(j => series.Counts[j])],
                    [.. order.Select(j => series.Min[j])], [.. order.Select(j => series.Max[j])], [.. order.Select(j => series.Mean[j])]);
            }
        }
        return series;
    }
}
