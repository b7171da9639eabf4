using System.Buffers.Binary;
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
/// The one read of rollups for charts and the series API, for one sensor or many, in one statement (one snapshot).
/// Periods before the packing watermark (<see cref="RollupPacker"/>) come from the packed tables, one row per
/// sensor and hour (minute buckets) or day (hour buckets) holding the period's buckets as binary vectors; the rest comes
/// from the rollup rows at and after the watermark. The watermark is read in the same statement, so a packer
/// moving it concurrently can neither drop nor double a period. Packed rows are trimmed to the range here, and each
/// sensor's buckets are put in time order here (the statement has no ORDER BY: the two parts are not sorted together).
/// The conditions on the watermark alone let a range that lies wholly on one side of it skip the other part. A packed
/// period that late readings made stale (<c>rollup_repack</c>) is read from the rollup rows until it is packed again.
/// </summary>
internal sealed class RollupSeriesReader(ReadingsDatabase database)
{
    // The watermark is read through scalar subqueries, not a join: each is evaluated once when the statement starts,
    // becomes a parameter of the index conditions (only the buckets on the right side of the watermark are read), and
    // gates a part that lies wholly on the other side. Joined instead, a generic plan was free to read every bucket of
    // the range and filter them by the watermark afterwards (30 days of hours: 72,000 index entries for 1,500 rows).
    private const string SqlTemplate = """
        WITH w AS (SELECT coalesce((SELECT packed_through FROM rollup_packing WHERE resolution = '{0}'), '-infinity') AS through),
        stale AS (SELECT d.period FROM rollup_repack d
                  WHERE d.resolution = '{0}' AND d.period < (SELECT through FROM w) AND d.period > $2 - INTERVAL '{4}' AND d.period < $3)
        SELECT p.sensor_id, p.{2}, p.offsets, p.count, p.sum, p.min, p.max,
               NULL::bigint, NULL::double precision, NULL::double precision, NULL::double precision
        FROM {3} p
        WHERE (SELECT through FROM w) > $2 - INTERVAL '{4}' AND p.sensor_id = ANY($1) AND p.{2} > $2 - INTERVAL '{4}' AND p.{2} < $3
          AND p.{2} < (SELECT through FROM w) AND p.{2} NOT IN (SELECT period FROM stale)
        UNION ALL
        SELECT r.sensor_id, r.bucket, NULL, NULL, NULL, NULL, NULL, r.count, r.min, r.max, r.sum / r.count
        FROM {1} r
        WHERE (SELECT through FROM w) < $3 AND r.sensor_id = ANY($1) AND r.bucket >= $2 AND r.bucket < $3
          AND r.bucket >= (SELECT through FROM w) AND r.count > 0
        UNION ALL
        SELECT r.sensor_id, r.bucket, NULL, NULL, NULL, NULL, NULL, r.count, r.min, r.max, r.sum / r.count
        FROM stale d JOIN {1} r ON r.bucket >= d.period AND r.bucket < d.period + INTERVAL '{4}'
        WHERE r.sensor_id = ANY($1) AND r.bucket >= $2 AND r.bucket < $3 AND r.count > 0
        """;

    private const long MaxReservedSlots = 4_096;

    private static readonly string MinuteSql = Format(RollupPacker.Minutes);
    private static readonly string HourSql = Format(RollupPacker.Hours);

    private static string Format(RollupPacker.Packing p) => string.Format(
        System.Globalization.CultureInfo.InvariantCulture, SqlTemplate, p.Resolution, p.Source, p.PeriodColumn, p.Target, p.Period);

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
        var from = DateTime.SpecifyKind(fromUtc, DateTimeKind.Utc);
        var to = DateTime.SpecifyKind(toUtc, DateTimeKind.Utc);
        var found = new Dictionary<int, Columns>(sensorIds.Count);
        if (sensorIds.Count > 0)
        {
            var unit = Width(resolution);
            // Every bucket of the range, up to a bound (a sparse sensor over a long range should not reserve a year of minutes).
            var slots = (int)Math.Clamp(((to - from).Ticks + unit.Ticks - 1) / unit.Ticks, 16, MaxReservedSlots);
            var packed = new PackedRow(resolution == RollupResolution.Minute ? RollupPacker.Minutes.CountBytes : RollupPacker.Hours.CountBytes);
            await using var cmd = database.ChartReads.CreateCommand(Sql(resolution));
            cmd.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. sensorIds] });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = from });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = to });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            Columns? columns = null;
            var sensorId = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt32(0);
                if (columns is null || id != sensorId)
                {
                    sensorId = id;
                    if (!found.TryGetValue(id, out columns))
                    {
                        columns = new Columns(slots);
                        found[id] = columns;
                    }
                }
                var start = reader.GetDateTime(1);
                if (reader.IsDBNull(2))
                {
                    columns.Add(start, reader.GetInt64(7), reader.GetDouble(8), reader.GetDouble(9), reader.GetDouble(10));
                    continue;
                }
                packed.Read(reader);
                packed.AddTo(columns, start, unit, from, to);
            }
        }
        var result = new RollupSeries[sensorIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = found.TryGetValue(sensorIds[i], out var columns) && columns.Count > 0 ? columns.ToSeries(sensorIds[i]) : RollupSeries.Empty(sensorIds[i]);
        }
        return result;
    }

    /// <summary>
    /// One packed period's vectors (big-endian values in bucket order, see <see cref="RollupPacker"/>), read into
    /// buffers reused from row to row.
    /// </summary>
    private sealed class PackedRow(int countBytes)
    {
        private byte[] _offsets = new byte[128];
        private byte[] _counts = new byte[512];
        private byte[] _sums = new byte[512];
        private byte[] _min = new byte[512];
        private byte[] _max = new byte[512];
        private int _length;

        public void Read(NpgsqlDataReader reader)
        {
            _length = Fill(reader, 2, ref _offsets) / sizeof(short);
            Fill(reader, 3, ref _counts);
            Fill(reader, 4, ref _sums);
            Fill(reader, 5, ref _min);
            Fill(reader, 6, ref _max);
        }

        /// <summary>Adds the period's buckets that start in [<paramref name="from"/>, <paramref name="to"/>).</summary>
        public void AddTo(Columns columns, DateTime start, TimeSpan unit, DateTime from, DateTime to)
        {
            for (var i = 0; i < _length; i++)
            {
                var bucket = start.AddTicks(unit.Ticks * BinaryPrimitives.ReadInt16BigEndian(_offsets.AsSpan(i * sizeof(short))));
                if (bucket < from || bucket >= to)
                {
                    continue;
                }
                long count = countBytes == sizeof(int)
                    ? BinaryPrimitives.ReadInt32BigEndian(_counts.AsSpan(i * sizeof(int)))
                    : BinaryPrimitives.ReadInt64BigEndian(_counts.AsSpan(i * sizeof(long)));
                var sum = BinaryPrimitives.ReadDoubleBigEndian(_sums.AsSpan(i * sizeof(double)));
                columns.Add(bucket, count, BinaryPrimitives.ReadDoubleBigEndian(_min.AsSpan(i * sizeof(double))),
                    BinaryPrimitives.ReadDoubleBigEndian(_max.AsSpan(i * sizeof(double))), sum / count);
            }
        }

        private static int Fill(NpgsqlDataReader reader, int ordinal, ref byte[] buffer)
        {
            var length = (int)reader.GetBytes(ordinal, 0, null, 0, 0);
            if (buffer.Length < length)
            {
                buffer = new byte[Math.Max(length, buffer.Length * 2)];
            }
            reader.GetBytes(ordinal, 0, buffer, 0, length);
            return length;
        }
    }

    /// <summary>One sensor's buckets starting in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>).</summary>
    public async Task<RollupSeries> ReadAsync(int sensorId, RollupResolution resolution, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken) =>
        (await ReadAsync([sensorId], resolution, fromUtc, toUtc, cancellationToken))[0];

    /// <summary>
    /// One sensor's buckets as they arrive (packed periods and single buckets in any order), in arrays sized for the
    /// range up front, so a sensor with a bucket in every slot is read without growing or copying its columns.
    /// </summary>
    private sealed class Columns(int capacity)
    {
        private DateTime[] _buckets = new DateTime[capacity];
        private long[] _counts = new long[capacity];
        private double[] _min = new double[capacity];
        private double[] _max = new double[capacity];
        private double[] _mean = new double[capacity];
        private int _count;
        private bool _sorted = true;

        public int Count => _count;

        public void Add(DateTime bucket, long count, double min, double max, double mean)
        {
            if (_count == _buckets.Length)
            {
                Resize(Math.Max(16, _count * 2));
            }
            _sorted &= _count == 0 || _buckets[_count - 1] < bucket;
            _buckets[_count] = bucket;
            _counts[_count] = count;
            _min[_count] = min;
            _max[_count] = max;
            _mean[_count] = mean;
            _count++;
        }

        public RollupSeries ToSeries(int sensorId)
        {
            if (_count != _buckets.Length)
            {
                Resize(_count);
            }
            if (!_sorted)
            {
                // Bucket starts are unique per sensor (packed periods and single buckets never overlap), so one
                // permutation sorted by time orders every column.
                var order = new int[_count];
                for (var i = 0; i < order.Length; i++)
                {
                    order[i] = i;
                }
                Array.Sort((DateTime[])_buckets.Clone(), order);
                _buckets = Permute(_buckets, order);
                _counts = Permute(_counts, order);
                _min = Permute(_min, order);
                _max = Permute(_max, order);
                _mean = Permute(_mean, order);
            }
            return new RollupSeries(sensorId, _buckets, _counts, _min, _max, _mean);
        }

        private void Resize(int size)
        {
            Array.Resize(ref _buckets, size);
            Array.Resize(ref _counts, size);
            Array.Resize(ref _min, size);
            Array.Resize(ref _max, size);
            Array.Resize(ref _mean, size);
        }

        private static T[] Permute<T>(T[] values, int[] order)
        {
            var result = new T[values.Length];
            for (var i = 0; i < order.Length; i++)
            {
                result[i] = values[order[i]];
            }
            return result;
        }
    }
}
