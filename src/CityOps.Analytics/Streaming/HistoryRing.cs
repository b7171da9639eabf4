namespace CityOps.Analytics.Streaming;

/// <summary>
/// A fixed-size history for sparklines: one point per bucket of <c>resolution</c> (the newest reading of the
/// bucket, at its own time), the last <c>capacity</c> buckets. Memory is fixed at creation. A late reading
/// updates its bucket while the bucket is still in the ring and it is newer than the bucket's point.
/// </summary>
public sealed class HistoryRing
{
    // One array of points rather than one per field: an update touches one place in memory, not three (the live store
    // updates one ring per reading, across thousands of sensors, so each update is a cache miss).
    private readonly Point[] _points;
    private readonly long _resolutionTicks;
    private long _newestBucket = long.MinValue;

    public HistoryRing(int capacity, TimeSpan resolution)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resolution, TimeSpan.Zero);
        _points = new Point[capacity];
        Array.Fill(_points, new Point(long.MinValue, 0, 0));
        _resolutionTicks = resolution.Ticks;
    }

    public int Capacity => _points.Length;

    public void Add(long ticks, double value)
    {
        var bucket = ticks / _resolutionTicks;
        if (_newestBucket != long.MinValue && bucket <= _newestBucket - _points.Length)
        {
            return;
        }
        ref var point = ref _points[(int)(bucket % _points.Length)];
        if (point.Bucket == bucket)
        {
            if (ticks < point.Ticks)
            {
                return;
            }
        }
        else if (point.Bucket > bucket)
        {
            return;
        }
        point = new Point(bucket, ticks, value);
        _newestBucket = Math.Max(_newestBucket, bucket);
    }

    /// <summary>The points of the buckets that end after <paramref name="sinceTicks"/>, oldest first.</summary>
    public List<(DateTime Ts, double Value)> ToList(long sinceTicks)
    {
        var result = new List<(DateTime, double)>(_points.Length);
        if (_newestBucket == long.MinValue)
        {
            return result;
        }
        var oldest = Math.Max(_newestBucket - _points.Length + 1, sinceTicks / _resolutionTicks);
        for (var bucket = oldest; bucket <= _newestBucket; bucket++)
        {
            var point = _points[(int)(bucket % _points.Length)];
            if (point.Bucket == bucket)
            {
                result.Add((new DateTime(point.Ticks, DateTimeKind.Utc), point.Value));
            }
        }
        return result;
    }

    private readonly record struct Point(long Bucket, long Ticks, double Value);
}
