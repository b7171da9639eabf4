using CityOps.Analytics.Rollups;

namespace CityOps.Tests.Analytics;

public sealed class RollupAccumulatorTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc);

    private static (DateTime, double)[] Readings(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (T0.AddMilliseconds(i * 250), (double)random.Next(-50, 50))).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Merge_PartialAggregatesInAnyOrder_EqualsAggregateOfAll(int seed)
    {
        var readings = Readings(seed, 500);
        var random = new Random(seed * 31);
        var expected = RollupAccumulator.Aggregate(readings);

        // Split the shuffled readings into uneven parts, aggregate each, and merge the parts in a random order.
        var shuffled = readings.OrderBy(_ => random.Next()).ToArray();
        var parts = new List<RollupAccumulator>();
        for (var i = 0; i < shuffled.Length;)
        {
            var size = random.Next(1, 40);
            parts.Add(RollupAccumulator.Aggregate(shuffled.Skip(i).Take(size)));
            i += size;
        }
        var merged = parts.OrderBy(_ => random.Next()).Aggregate(RollupAccumulator.Empty, (acc, p) => acc.Merge(p));

        Assert.Equal(expected, merged);
        Assert.Equal(500, merged.Count);
        Assert.Equal(readings[0].Item2, merged.FirstValue);
        Assert.Equal(readings[^1].Item2, merged.LastValue);
    }

    [Fact]
    public void Merge_Empty_IsIdentity()
    {
        var acc = RollupAccumulator.Aggregate(Readings(5, 10));

        Assert.Equal(acc, acc.Merge(RollupAccumulator.Empty));
        Assert.Equal(acc, RollupAccumulator.Empty.Merge(acc));
    }

    [Fact]
    public void Add_LateReading_BecomesFirstAndKeepsLast()
    {
        var acc = RollupAccumulator.Of(T0.AddSeconds(30), 5).Add(T0.AddSeconds(50), 7);

        var late = acc.Add(T0.AddSeconds(10), 1);

        Assert.Equal(T0.AddSeconds(10), late.FirstTimestamp);
        Assert.Equal(1, late.FirstValue);
        Assert.Equal(7, late.LastValue);
        Assert.Equal(13, late.Sum);
        Assert.Equal(75, late.SumOfSquares);
        Assert.Equal(1, late.Min);
        Assert.Equal(7, late.Max);
    }

    [Fact]
    public void Variance_KnownValues_IsPopulationVariance()
    {
        var acc = RollupAccumulator.Aggregate([(T0, 2), (T0.AddSeconds(1), 4), (T0.AddSeconds(2), 4), (T0.AddSeconds(3), 4),
            (T0.AddSeconds(4), 5), (T0.AddSeconds(5), 5), (T0.AddSeconds(6), 7), (T0.AddSeconds(7), 9)]);

        Assert.Equal(5, acc.Mean);
        Assert.Equal(4, acc.Variance, 12);
    }

    [Fact]
    public void Floor_Hour_TruncatesToUtcHour() =>
        Assert.Equal(new DateTime(2026, 11, 27, 10, 0, 0, DateTimeKind.Utc),
            RollupBuckets.Floor(new DateTime(2026, 11, 27, 10, 59, 59, DateTimeKind.Utc), RollupBuckets.Hour));
}
