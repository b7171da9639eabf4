namespace CityOps.Analytics.Rollups;

/// <summary>
/// A mergeable summary of the readings of one sensor in one time bucket: what the 1-minute and 1-hour
/// rollup rows store. Merging two summaries gives the summary of the union of their readings, in any
/// order, so late data, re-sent data and concurrent writers all combine to the aggregate over the raw
/// rows (count, min, max, first and last exactly; sums up to floating-point rounding).
/// </summary>
public readonly record struct RollupAccumulator(
    long Count,
    double Sum,
    double Min,
    double Max,
    double SumOfSquares,
    DateTime FirstTimestamp,
    double FirstValue,
    DateTime LastTimestamp,
    double LastValue)
{
    public static RollupAccumulator Empty { get; } =
        new(0, 0, double.PositiveInfinity, double.NegativeInfinity, 0, DateTime.MaxValue, double.NaN, DateTime.MinValue, double.NaN);

    public bool IsEmpty => Count == 0;

    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Population variance, clamped at zero against rounding.</summary>
    public double Variance => Count == 0 ? double.NaN : Math.Max(0, SumOfSquares / Count - Mean * Mean);

    public static RollupAccumulator Of(DateTime timestamp, double value) =>
        new(1, value, value, value, value * value, timestamp, value, timestamp, value);

    public RollupAccumulator Add(DateTime timestamp, double value) => Merge(Of(timestamp, value));

    public RollupAccumulator Merge(in RollupAccumulator other)
    {
        if (other.Count == 0)
        {
            return this;
        }
        if (Count == 0)
        {
            return other;
        }
        var otherFirst = other.FirstTimestamp < FirstTimestamp;
        var otherLast = other.LastTimestamp > LastTimestamp;
        return new RollupAccumulator(
            Count + other.Count,
            Sum + other.Sum,
            Math.Min(Min, other.Min),
            Math.Max(Max, other.Max),
            SumOfSquares + other.SumOfSquares,
            otherFirst ? other.FirstTimestamp : FirstTimestamp,
            otherFirst ? other.FirstValue : FirstValue,
            otherLast ? other.LastTimestamp : LastTimestamp,
            otherLast ? other.LastValue : LastValue);
    }

    public static RollupAccumulator Aggregate(IEnumerable<(DateTime Timestamp, double Value)> readings)
    {
        var acc = Empty;
        foreach (var (ts, value) in readings)
        {
            acc = acc.Add(ts, value);
        }
        return acc;
    }
}

/// <summary>The bucket boundaries of the rollups, in UTC (matching <c>date_bin</c> in the database).</summary>
public static class RollupBuckets
{
    public static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    public static DateTime Floor(DateTime utc, TimeSpan width) =>
        new(utc.Ticks - utc.Ticks % width.Ticks, DateTimeKind.Utc);
}
