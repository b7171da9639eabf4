using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class FloodMonitorTests
{
    [Fact]
    public void Record_MoreThanLimitInWindow_FloodingSinceTheTippingAlarm()
    {
        var monitor = new FloodMonitor(10, TimeSpan.FromMinutes(10));

        var started = Enumerable.Range(0, 11).Select(i => monitor.Record("line1", At(i * 50))).ToList();

        Assert.Equal(10, started.Count(s => !s));
        Assert.True(started[10]);
        Assert.Equal(new FloodStatus(true, At(500), 11), monitor.Status("line1"));
        Assert.False(monitor.Status("line2").Flooding);
    }

    [Fact]
    public void Record_LimitSpreadOverMoreThanTheWindow_NoFlood()
    {
        var monitor = new FloodMonitor(10, TimeSpan.FromMinutes(10));

        for (var i = 0; i < 30; i++)
        {
            monitor.Record("market", At(i * 61));
        }

        Assert.False(monitor.Status("market").Flooding);
        Assert.Equal(10, monitor.Status("market").Count);
    }

    [Fact]
    public void Advance_AlarmsLeaveTheWindow_FloodEnds()
    {
        var monitor = new FloodMonitor(3, TimeSpan.FromMinutes(10));
        for (var i = 0; i < 5; i++)
        {
            monitor.Record("a", At(i));
        }
        monitor.Record("b", At(5));

        monitor.Advance(At(600.5));
        var partly = monitor.Status("a");
        monitor.Advance(At(601.5));

        Assert.Equal(new FloodStatus(true, At(3), 4), partly);
        Assert.Equal(new FloodStatus(false, null, 3), monitor.Status("a"));
        Assert.Equal(["a", "b"], monitor.Areas.Keys.Order());
    }
}
