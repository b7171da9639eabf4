using CityOps.Analytics.Streaming;

namespace CityOps.Tests.Live;

public class FlatlineTrackerTests
{
    [Fact]
    public void IsFlat_EnoughIdenticalReadingsOverLongEnough_True()
    {
        var tracker = new FlatlineTracker();
        for (var i = 0; i < 10; i++)
        {
            tracker.Add(TimeSpan.FromSeconds(i * 5).Ticks, 21.5);
        }

        Assert.True(tracker.IsFlat(10, TimeSpan.FromSeconds(45)));
        Assert.False(tracker.IsFlat(10, TimeSpan.FromSeconds(50)));
        Assert.False(tracker.IsFlat(11, TimeSpan.FromSeconds(45)));
    }

    [Fact]
    public void Add_DifferentValue_StartsANewRun()
    {
        var tracker = new FlatlineTracker();
        for (var i = 0; i < 20; i++)
        {
            tracker.Add(TimeSpan.FromSeconds(i).Ticks, 1);
        }

        tracker.Add(TimeSpan.FromSeconds(20).Ticks, 1.0001);

        Assert.Equal(1, tracker.RunLength);
        Assert.False(tracker.IsFlat(2, TimeSpan.Zero));
    }
}
