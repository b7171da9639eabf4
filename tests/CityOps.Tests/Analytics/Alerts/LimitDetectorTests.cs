using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class LimitDetectorTests
{
    [Fact]
    public void Update_AboveHigh_ActiveWithDetailInUnits()
    {
        var detector = new LimitDetector(new LimitParameters { High = 90 }, Sensor());

        var below = detector.Update(At(0), 89.9);
        var above = detector.Update(At(10), 92.4);

        Assert.False(below.Active);
        Assert.True(above.Active);
        Assert.Equal("92.4 °C above the high limit 90 °C", above.Detail);
        Assert.Equal(90, above.BandHigh);
    }

    [Fact]
    public void Update_WithinDeadband_StaysActiveUntilBelowHighMinusDeadband()
    {
        var detector = new LimitDetector(new LimitParameters { High = 90, Deadband = 2 }, Sensor());

        detector.Update(At(0), 91);
        var inBand = detector.Update(At(10), 88.5);
        var cleared = detector.Update(At(20), 87.9);
        var notReraisedAtLimit = detector.Update(At(30), 90);

        Assert.True(inBand.Active);
        Assert.Contains("deadband", inBand.Detail);
        Assert.False(cleared.Active);
        Assert.False(notReraisedAtLimit.Active);
    }

    [Fact]
    public void Update_Low_RaisesBelowAndClearsAboveLowPlusDeadband()
    {
        var detector = new LimitDetector(new LimitParameters { Low = 2, Deadband = 0.2 }, Sensor("zone.pressure", unit: "bar"));

        var low = detector.Update(At(0), 1.8);
        var still = detector.Update(At(10), 2.1);
        var cleared = detector.Update(At(20), 2.25);

        Assert.True(low.Active);
        Assert.Equal("1.8 bar below the low limit 2 bar", low.Detail);
        Assert.True(still.Active);
        Assert.False(cleared.Active);
    }

    [Fact]
    public void Update_ShortExcursionShorterThanOnDelay_NeverActive()
    {
        var detector = new LimitDetector(new LimitParameters { High = 90, OnDelay = TimeSpan.FromSeconds(30) }, Sensor());

        var results = Feed(detector, [(0, 95), (10, 95), (20, 95), (30, 80), (40, 95)]);

        Assert.All(results, d => Assert.False(d.Active));
        Assert.Equal(0.5, results[2].Score);
    }

    [Fact]
    public void Update_ConditionHoldsForOnDelay_ActiveExactlyThen()
    {
        var detector = new LimitDetector(new LimitParameters { High = 90, OnDelay = TimeSpan.FromSeconds(30) }, Sensor());

        var results = Feed(detector, Series(0, 50, 10, _ => 95));

        Assert.Equal([false, false, false, true, true], results.Select(d => d.Active));
    }

    [Fact]
    public void Evaluate_OnDelayRunsOutWithoutReading_Active()
    {
        var detector = new LimitDetector(new LimitParameters { High = 90, OnDelay = TimeSpan.FromMinutes(1) }, Sensor());
        detector.Update(At(0), 95);

        Assert.False(detector.Evaluate(At(59)).Active);
        Assert.True(detector.Evaluate(At(60)).Active);
    }

    [Fact]
    public void Update_OffDelay_ClearsOnlyAfterConditionGoneThatLong()
    {
        var detector = new LimitDetector(new LimitParameters { High = 90, OffDelay = TimeSpan.FromSeconds(30) }, Sensor());
        detector.Update(At(0), 95);

        var justBack = detector.Update(At(10), 85);
        var blip = detector.Update(At(20), 91);
        var back = detector.Update(At(30), 85);
        var stillHeld = detector.Update(At(50), 85);
        var cleared = detector.Evaluate(At(60));

        Assert.True(justBack.Active);
        Assert.Contains("back below the high limit", justBack.Detail);
        Assert.True(blip.Active);
        Assert.True(back.Active);
        Assert.True(stillHeld.Active);
        Assert.False(cleared.Active);
    }

    [Fact]
    public void Update_RisingFasterThanRateLimit_ActiveWithRateDetail()
    {
        var detector = new LimitDetector(new LimitParameters { RateLimit = 2, RateWindow = TimeSpan.FromMinutes(1) }, Sensor());

        var steady = Feed(detector, Series(0, 120, 5, t => 60 + t / 60.0));
        var ramp = Feed(detector, Series(120, 240, 5, t => 62 + (t - 120) / 60.0 * 3));

        Assert.All(steady, d => Assert.False(d.Active));
        Assert.True(ramp[^1].Active);
        Assert.Equal("rising 3 °C/min, faster than the limit 2 °C/min", ramp[^1].Detail);
    }

    [Fact]
    public void Update_TwoReadingsCloseTogether_NoRateFromTooShortASpan()
    {
        var detector = new LimitDetector(new LimitParameters { RateLimit = 2, RateWindow = TimeSpan.FromMinutes(1) }, Sensor());

        detector.Update(At(0), 60);
        var jump = detector.Update(At(1), 61);

        Assert.False(jump.Active);
    }

    [Fact]
    public void LoadState_AfterSave_ContinuesIdentically()
    {
        var parameters = new LimitParameters { High = 90, Low = 10, Deadband = 1, OnDelay = TimeSpan.FromSeconds(20), OffDelay = TimeSpan.FromSeconds(20), RateLimit = 5 };
        Func<double, double> signal = t => 85 + 8 * Math.Sin(t / 90) + (t % 7);
        var original = new LimitDetector(parameters, Sensor());
        Feed(original, Series(0, 600, 3, signal));

        var restored = new LimitDetector(parameters, Sensor());
        restored.LoadState(original.SaveState());

        var expected = Feed(original, Series(600, 1800, 3, signal));
        var actual = Feed(restored, Series(600, 1800, 3, signal));
        Assert.Equal(expected, actual);
        Assert.Contains(expected, d => d.Active);
        Assert.Contains(expected, d => !d.Active);
    }

    [Fact]
    public void Constructor_NoLimitAtAll_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LimitDetector(new LimitParameters(), Sensor()));
    }
}
