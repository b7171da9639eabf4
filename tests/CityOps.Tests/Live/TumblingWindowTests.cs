using CityOps.Analytics.Streaming;

namespace CityOps.Tests.Live;

public class TumblingWindowTests
{
    private static readonly DateTime Noon = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    private static long At(double seconds) => Noon.AddSeconds(seconds).Ticks;

    [Fact]
    public void Add_ReadingsInOneWindow_MergeIntoCountMinMaxMeanAndLast()
    {
        var window = new TumblingWindow(TimeSpan.TicksPerMinute);

        window.Add(At(5), 10);
        window.Add(At(40), 30);
        window.Add(At(20), 20);

        var current = window.Current;
        Assert.Equal(Noon.Ticks, current.StartTicks);
        Assert.Equal(3, current.Count);
        Assert.Equal(10, current.Min);
        Assert.Equal(30, current.Max);
        Assert.Equal(20, current.Mean, precision: 9);
        Assert.Equal(30, current.Last);
        Assert.Equal(At(40), current.LastTicks);
        Assert.True(window.LastClosed.IsEmpty);
    }

    [Theory]
    [InlineData(1, 0.4, 1.1)]
    [InlineData(60, 59.9, 60)]
    [InlineData(900, 899, 900.5)]
    public void Add_ReadingOfNextWindow_ClosesTheCurrentAndOpensAnAlignedOne(int sizeSeconds, double before, double after)
    {
        var window = new TumblingWindow(TimeSpan.FromSeconds(sizeSeconds).Ticks);
        window.Add(At(before), 1);

        var placement = window.Add(At(after), 2);

        Assert.Equal(WindowPlacement.Current, placement);
        Assert.Equal(Noon.AddSeconds(sizeSeconds).Ticks, window.Current.StartTicks);
        Assert.Equal(1, window.Current.Count);
        Assert.Equal(Noon.Ticks, window.LastClosed.StartTicks);
        Assert.Equal(1, window.LastClosed.Last);
    }

    [Fact]
    public void Add_QuarterHourWindow_StartsOnTheQuarter()
    {
        var window = new TumblingWindow(TimeSpan.FromMinutes(15).Ticks);

        window.Add(Noon.AddMinutes(22).AddSeconds(13).Ticks, 1);

        Assert.Equal(Noon.AddMinutes(15).Ticks, window.Current.StartTicks);
    }

    [Fact]
    public void Add_LateReadingOfLastClosedWindow_MergesIntoIt()
    {
        var window = new TumblingWindow(TimeSpan.TicksPerSecond);
        window.Add(At(0.2), 5);
        window.Add(At(1.1), 7);

        var placement = window.Add(At(0.9), 9);

        Assert.Equal(WindowPlacement.LastClosed, placement);
        Assert.Equal(2, window.LastClosed.Count);
        Assert.Equal(9, window.LastClosed.Max);
        Assert.Equal(9, window.LastClosed.Last);
        Assert.Equal(1, window.Current.Count);
    }

    [Fact]
    public void Add_LateReadingOfOlderWindow_IsDroppedAndChangesNothing()
    {
        var window = new TumblingWindow(TimeSpan.TicksPerSecond);
        window.Add(At(0.5), 5);
        window.Add(At(3.5), 7);

        var placement = window.Add(At(1.5), 100);

        Assert.Equal(WindowPlacement.Dropped, placement);
        Assert.Equal(5, window.LastClosed.Max);
        Assert.Equal(7, window.Current.Max);
    }

    [Fact]
    public void Add_LateReadingOfCurrentWindow_MergesButDoesNotBecomeLast()
    {
        var window = new TumblingWindow(TimeSpan.TicksPerMinute);
        window.Add(At(30), 5);

        window.Add(At(10), 1);

        Assert.Equal(2, window.Current.Count);
        Assert.Equal(5, window.Current.Last);
        Assert.Equal(1, window.Current.Min);
    }

    [Fact]
    public void View_ClockPastTheCurrentWindow_ShowsItAsLastClosedAndNoCurrent()
    {
        var window = new TumblingWindow(TimeSpan.TicksPerSecond);
        window.Add(At(0.5), 5);

        var (during, _) = window.View(At(0.9));
        var (current, last) = window.View(At(1.0));

        Assert.NotNull(during);
        Assert.Null(current);
        Assert.Equal(5, last!.Value.Last);
    }
}
