namespace CityOps.Analytics.Streaming;

/// <summary>
/// A fixed-size history for sparklines: one point per bucket of <c>resolution</c> (the newest reading of the
/// bucket, at its own time), the last <c>capacity</c> buckets. Memory is fixed at creation. A late reading
/// updates its bucket while the bucket is still in the ring and it is newer than the bucket's point.
/// </summary>
public sealed class HistoryRing
{
    private readonly long[] _buckets;
    private readonly long[] _ticks;
    private readonly double[] _values;
    private readonly long _resolutionTicks;
    private long _newestBucket = long.MinValue;

    public HistoryRing(int capacity, TimeSpan resolution)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(resolution, TimeSpan.Zero);
        _buckets = new long[capacity];
        Array.Fill(_buckets, long.MinValue);
        _ticks = new long[capacity];
        _values = new double[capacity];
        _resolutionTicks = resolution.Ticks;
    }

    public int Capacity => _buckets.Length;

    public void Add(long ticks, double value)
    {
        var bucket = ticks / _resolutionTicks;
        if (_newestBucket != long.MinValue && bucket <= _newestBucket - _buckets.Length)
        {
            return;
        }
        var slot = (int)(bucket % _buckets.Length);
        if (_buckets[slot] == bucket)
        {
            if (ticks < _ticks[slot])
            {
                return;
            }
        }
        else if (_buckets[slot] > bucket)
        {
            return;
        }
        _buckets[slot] = bucket;
        _ticks[slot] = ticks;
        _values[slot] = value;
        _newestBucket = Math.Max(_newestBucket, bucket);
    }

    /// <summary>The points of the buckets that end after <paramref name="sinceTicks"/>, oldest first.</summary>
    public List<(DateTime Ts, double Value)> ToList(long sinceTicks)
    {
        var result = new List<(DateTime, double)>(_buckets.Length);
        if (_newestBucket == long.MinValue)
        {
            return result;
        }
        var oldest = Math.Max(_newestBucket - _buckets.Length + 1, sinceTicks / _resolutionTicks);
        for (var bucket = oldest; bucket <= _newestBucket; bucket++)
        {
            var slot = (int)(bucket % _buckets.Length);
            if (_buckets[slot] == bucket)
            {
                result.Add((new DateTime(_ticks[slot], DateTimeKind.Utc), _values[slot]));
            }
        }
        return result;
    }
}
