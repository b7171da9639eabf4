using CityOps.Analytics.Streaming;

namespace CityOps.Tests.Live;

public class HistoryRingTests
{
    private static readonly DateTime Noon = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    private static long At(double seconds) => Noon.AddSeconds(seconds).Ticks;

    [Fact]
    public void ToList_SeveralReadingsPerBucket_OnePointPerBucketWithTheNewestOldestFirst()
    {
        var ring = new HistoryRing(10, TimeSpan.FromSeconds(5));
        ring.Add(At(1), 1);
        ring.Add(At(3), 3);
        ring.Add(At(6), 6);

        var points = ring.ToList(At(0));

        Assert.Equal([(Noon.AddSeconds(3), 3.0), (Noon.AddSeconds(6), 6.0)], points);
    }

    [Fact]
    public void Add_MoreBucketsThanCapacity_KeepsOnlyTheNewest()
    {
        var ring = new HistoryRing(3, TimeSpan.FromSeconds(1));
        for (var s = 0; s < 10; s++)
        {
            ring.Add(At(s), s);
        }

        var points = ring.ToList(At(0));

        Assert.Equal([7.0, 8.0, 9.0], points.Select(p => p.Value));
    }

    [Fact]
    public void Add_LateReadingStillInTheRing_FillsItsBucket_TooOldIsIgnored()
    {
        var ring = new HistoryRing(3, TimeSpan.FromSeconds(1));
        ring.Add(At(10), 10);
        ring.Add(At(8), 8);
        ring.Add(At(2), 2);

        var points = ring.ToList(At(0));

        Assert.Equal([8.0, 10.0], points.Select(p => p.Value));
    }

    [Fact]
    public void ToList_SinceAfterOldPoints_LeavesThemOut()
    {
        var ring = new HistoryRing(100, TimeSpan.FromSeconds(1));
        ring.Add(At(1), 1);
        ring.Add(At(50), 50);

        Assert.Equal([50.0], ring.ToList(At(40)).Select(p => p.Value));
    }
}
