using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class DataQualityDetectorTests
{
    private static readonly DataQualityParameters Defaults = new()
    {
        StaleIntervals = 5, StaleMinimum = TimeSpan.FromMinutes(1), FlatlineDuration = TimeSpan.FromMinutes(10), FlatlineReadings = 20,
    };

    [Fact]
    public void Evaluate_ReadingsStop_StaleAfterFiveIntervalsAndClearsOnNextReading()
    {
        var detector = new DataQualityDetector(Defaults, Sensor(intervalSeconds: 30));
        Feed(detector, Series(0, 300, 30, t => 50 + t / 100));

        var early = detector.Evaluate(At(270 + 150));
        var stale = detector.Evaluate(At(270 + 151));
        var back = detector.Update(At(600), 51);

        Assert.False(early.Active);
        Assert.True(stale.Active);
        Assert.StartsWith("no data for 2 min (expected every 30 s)", stale.Detail);
        Assert.False(back.Active);
    }

    [Fact]
    public void Evaluate_FastSensor_NotStaleBeforeTheMinimum()
    {
        var detector = new DataQualityDetector(Defaults, Sensor(intervalSeconds: 1));
        detector.Update(At(0), 50);

        Assert.False(detector.Evaluate(At(59)).Active);
        Assert.True(detector.Evaluate(At(61)).Active);
    }

    [Fact]
    public void Evaluate_SensorNeverReports_StaleCountedFromFirstLook()
    {
        var detector = new DataQualityDetector(Defaults, Sensor(intervalSeconds: 10));

        Assert.False(detector.Evaluate(At(0)).Active);
        Assert.False(detector.Evaluate(At(60)).Active);
        Assert.True(detector.Evaluate(At(61)).Active);
    }

    [Fact]
    public void Update_IdenticalValuesLongEnough_FlatlineUntilTheValueMoves()
    {
        var detector = new DataQualityDetector(Defaults, Sensor(intervalSeconds: 10));
        Feed(detector, Series(0, 300, 10, t => 40 + Math.Sin(t)));

        var stuck = Feed(detector, Series(300, 1000, 10, _ => 41.25));
        var moved = detector.Update(At(1000), 41.3);

        var firstFlat = stuck.FindIndex(d => d.Active);
        Assert.Equal(60, firstFlat); // 10 minutes of identical readings after the first one
        Assert.Equal("stuck at 41.25 °C for 10 min (61 identical readings)", stuck[firstFlat].Detail);
        Assert.False(moved.Active);
    }

    [Fact]
    public void Update_FewIdenticalReadingsOverLongTime_NotFlatline()
    {
        var detector = new DataQualityDetector(Defaults with { FlatlineReadings = 20 }, Sensor(intervalSeconds: 60));

        var results = Feed(detector, Series(0, 60 * 15, 60, _ => 7));

        Assert.All(results, d => Assert.False(d.Active));
    }

    [Fact]
    public void Update_OutsidePhysicalRange_ActiveWithRange()
    {
        var detector = new DataQualityDetector(Defaults, Sensor(min: 0, max: 100, unit: "%"));

        var ok = detector.Update(At(0), 100);
        var bad = detector.Update(At(10), 104.5);
        var nan = detector.Update(At(20), double.NaN);
        var back = detector.Update(At(30), 99);

        Assert.False(ok.Active);
        Assert.True(bad.Active);
        Assert.Equal("104.5 % outside the physical range 0 to 100 %", bad.Detail);
        Assert.True(nan.Active);
        Assert.False(back.Active);
    }

    [Fact]
    public void Update_ChecksTurnedOff_NothingRaised()
    {
        var detector = new DataQualityDetector(new DataQualityParameters { StaleIntervals = null, FlatlineDuration = null, CheckRange = false }, Sensor(max: 100));

        var results = Feed(detector, Series(0, 3600, 10, _ => 500));

        Assert.All(results, d => Assert.False(d.Active));
        Assert.False(detector.Evaluate(At(100_000)).Active);
    }

    [Fact]
    public void LoadState_AfterSave_ContinuesIdentically()
    {
        var original = new DataQualityDetector(Defaults, Sensor(intervalSeconds: 10));
        Feed(original, Series(0, 300, 10, t => Math.Round(t / 200)));

        var restored = new DataQualityDetector(Defaults, Sensor(intervalSeconds: 10));
        restored.LoadState(original.SaveState());

        var series = Series(300, 1200, 10, t => Math.Round(t / 2000)).ToList();
        var expected = Feed(original, series);
        var actual = Feed(restored, series);
        Assert.Equal(expected, actual);
        Assert.Contains(expected, d => d.Active);
        Assert.Equal(original.Evaluate(At(5000)), restored.Evaluate(At(5000)));
    }
}
