using CityOps.Simulator;
using static CityOps.Tests.Simulator.SimTestKit;

namespace CityOps.Tests.Simulator;

public sealed class TwinTests
{
    private static readonly CityOps.Simulator.World.WorldDefinition World = DemoWorld.Create();

    [Fact]
    public void AdvanceTo_SameSeed_ProducesIdenticalReadings()
    {
        var a = Collect(new Twin(World, 7, Tuesday(7)), Tuesday(7.25), TimeSpan.FromSeconds(1));
        var b = Collect(new Twin(World, 7, Tuesday(7)), Tuesday(7.25), TimeSpan.FromSeconds(1));

        Assert.True(a.Count > 10_000);
        Assert.Equal(a, b);
    }

    [Fact]
    public void AdvanceTo_DifferentSeed_ProducesDifferentValues()
    {
        var a = new Twin(World, 7, Tuesday(7)).AdvanceTo(Tuesday(7.1));
        var b = new Twin(World, 8, Tuesday(7)).AdvanceTo(Tuesday(7.1));

        var differing = a.Zip(b).Count(p => p.First.Value != p.Second.Value);
        Assert.True(differing > a.Count / 2, $"{differing} of {a.Count} differ");
    }

    [Fact]
    public void AdvanceTo_SmallStepsOrOneLargeStep_ProducesTheSameReadings()
    {
        var stepped = Collect(new Twin(World, 5, Tuesday(16.5)), Tuesday(17), TimeSpan.FromMilliseconds(1700));
        var whole = new Twin(World, 5, Tuesday(16.5)).AdvanceTo(Tuesday(17));

        Assert.Equal(whole, stepped);
    }

    [Fact]
    public void AdvanceTo_Window_ReturnsReadingsInTimeOrderStrictlyAfterNowUpToUntil()
    {
        var twin = new Twin(World, 1, Tuesday(10));
        twin.AdvanceTo(Tuesday(10).AddSeconds(30));

        var readings = twin.AdvanceTo(Tuesday(10).AddSeconds(90));

        Assert.All(readings, r => Assert.InRange(r.Timestamp, Tuesday(10).AddSeconds(30).AddTicks(1), Tuesday(10).AddSeconds(90)));
        Assert.True(readings.Zip(readings.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp));
        Assert.Equal(Tuesday(10).AddSeconds(90), twin.Now);
        // A vibration sensor sampled every second reports 60 times in a minute.
        Assert.Equal(60, readings.Count(r => r.SensorKey == "plant1.line1.press1.vibration"));
        Assert.Empty(twin.AdvanceTo(Tuesday(10)));
    }

    [Fact]
    public void ReadingsPerSecond_DemoWorld_MatchesWhatOneMinuteProduces()
    {
        var twin = new Twin(World, 1, Tuesday(10));

        var readings = twin.AdvanceTo(Tuesday(10).AddMinutes(10));

        Assert.InRange(readings.Count / 600.0, twin.ReadingsPerSecond * 0.98, twin.ReadingsPerSecond * 1.02);
    }

    [Fact]
    public void AdvanceTo_WeekdayRushHour_OccupancyIsHigherThanAtThreeInTheMorning()
    {
        var readings = History(new Twin(World, 2, TuesdayMidnight), Tuesday(24), TimeSpan.FromSeconds(60));
        static bool IsOccupancy(string key) => key.EndsWith(".occupancy", StringComparison.Ordinal);

        var night = MeanWhere(readings, IsOccupancy, Tuesday(2.5), Tuesday(3.5));
        var morning = MeanWhere(readings, IsOccupancy, Tuesday(7.5), Tuesday(8.5));
        var evening = MeanWhere(readings, IsOccupancy, Tuesday(17), Tuesday(18));

        Assert.True(morning > 3 * night, $"rush {morning:F1}% vs night {night:F1}%");
        Assert.True(evening > 3 * night, $"evening {evening:F1}% vs night {night:F1}%");
    }

    [Fact]
    public void AdvanceTo_DistrictTraffic_No2AndPm25TrackOccupancyThroughTheDay()
    {
        var readings = History(new Twin(World, 4, TuesdayMidnight), Tuesday(24), TimeSpan.FromSeconds(60));
        var hours = Enumerable.Range(0, 24).ToList();

        var occupancy = hours.Select(h => MeanWhere(readings, k => k.StartsWith("city.market.x", StringComparison.Ordinal) && k.EndsWith(".occupancy", StringComparison.Ordinal), Tuesday(h), Tuesday(h + 1))).ToList();
        var no2 = hours.Select(h => Mean(readings, "city.market.aq1.no2", Tuesday(h), Tuesday(h + 1))).ToList();
        var pm25 = hours.Select(h => Mean(readings, "city.market.aq1.pm25", Tuesday(h), Tuesday(h + 1))).ToList();

        Assert.True(Correlation(occupancy, no2) > 0.6, $"NO2 correlation {Correlation(occupancy, no2):F2}");
        Assert.True(Correlation(occupancy, pm25) > 0.3, $"PM2.5 correlation {Correlation(occupancy, pm25):F2}");
    }

    [Fact]
    public void AdvanceTo_Weekday_MachinesRunMostOfTheDayAndIdleOnSunday()
    {
        var weekday = History(new Twin(World, 6, TuesdayMidnight), Tuesday(24), TimeSpan.FromSeconds(60));
        var sunday = History(new Twin(World, 6, TuesdayMidnight.AddDays(5)), TuesdayMidnight.AddDays(6), TimeSpan.FromSeconds(60));
        static bool IsState(string key) => key.EndsWith(".state", StringComparison.Ordinal);

        var states = weekday.Where(r => IsState(r.SensorKey)).ToList();
        var running = states.Count(r => r.Value == 2) / (double)states.Count;

        Assert.InRange(running, 0.75, 0.95);
        Assert.All(states, r => Assert.Contains(r.Value, new[] { 0.0, 1.0, 2.0 }));
        Assert.All(sunday.Where(r => IsState(r.SensorKey)), r => Assert.Equal(1, r.Value));
        Assert.All(sunday.Where(r => r.SensorKey.EndsWith(".good", StringComparison.Ordinal)), r => Assert.Equal(0, r.Value));
    }

    [Fact]
    public void AdvanceTo_PartCounters_ReportWholePartsSinceThePreviousReading()
    {
        var twin = new Twin(World, 1, Tuesday(9));
        var readings = twin.AdvanceTo(Tuesday(10));
        var good = readings.Where(r => r.SensorKey == "plant1.line2.mill1.good").ToList();
        var scrap = readings.Where(r => r.SensorKey == "plant1.line2.mill1.scrap").Sum(r => r.Value);

        Assert.All(good, r => Assert.Equal(Math.Floor(r.Value), r.Value));
        // A line makes 8–18 parts a minute at nominal speed; most of an hour is production.
        Assert.InRange(good.Sum(r => r.Value), 8 * 60 * 0.7, 18 * 60);
        Assert.InRange(scrap / (good.Sum(r => r.Value) + scrap), 0.002, 0.06);
    }

    [Fact]
    public void Backfill_MinimumInterval_SamplesEachSensorAtMostOncePerIntervalAndLeavesTwinAtTo()
    {
        var twin = new Twin(World, 1, Tuesday(9));

        var batches = twin.Backfill(Tuesday(9), Tuesday(11), TimeSpan.FromMinutes(1)).ToList();
        var readings = batches.SelectMany(b => b).ToList();

        Assert.Equal(Tuesday(11), twin.Now);
        Assert.All(readings.GroupBy(r => r.SensorKey), g => Assert.Equal(120, g.Count()));
        Assert.Equal(World.Sensors.Count, readings.Select(r => r.SensorKey).Distinct().Count());
        Assert.All(batches, b => Assert.True(b.Count <= 60_000));
        // Normal sampling resumes afterwards.
        var after = twin.AdvanceTo(Tuesday(11).AddMinutes(1));
        Assert.Equal(60, after.Count(r => r.SensorKey == "plant1.line1.press1.vibration"));
    }

    [Fact]
    public void Backfill_CoarseSampling_KeepsCounterTotals()
    {
        var fine = new Twin(World, 9, Tuesday(8)).AdvanceTo(Tuesday(12));
        var coarse = History(new Twin(World, 9, Tuesday(8)), Tuesday(12), TimeSpan.FromMinutes(5));
        const string key = "plant1.line1.press2.good";

        var coarseReadings = coarse.Where(r => r.SensorKey == key).ToList();
        var coarseTotal = coarseReadings.Sum(r => r.Value);
        // Compare up to the last coarse reading: what was made after it has not been reported yet.
        var fineTotal = fine.Where(r => r.SensorKey == key && r.Timestamp <= coarseReadings[^1].Timestamp).Sum(r => r.Value);

        Assert.True(fineTotal > 1000);
        Assert.InRange(coarseTotal, fineTotal - 2, fineTotal + 2);
    }

    [Fact]
    public void Backfill_StartBeforeNow_Throws()
    {
        var twin = new Twin(World, 1, Tuesday(9));

        Assert.Throws<ArgumentOutOfRangeException>(() => twin.Backfill(Tuesday(8), Tuesday(10), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void Clone_AdvancedAndCommanded_LeavesTheOriginalUnchanged()
    {
        var original = new Twin(World, 11, Tuesday(10));
        original.AdvanceTo(Tuesday(10.5));
        var reference = new Twin(World, 11, Tuesday(10));
        reference.AdvanceTo(Tuesday(10.5));

        var clone = original.Clone();
        clone.SetActuator("plant1.line1.speed", 60);
        clone.InjectFault(new FaultSpec(FaultKind.LineStoppage, "plant1.line2", TimeSpan.FromMinutes(20)));
        var cloneReadings = clone.AdvanceTo(Tuesday(11));

        Assert.Equal(reference.AdvanceTo(Tuesday(11)), original.AdvanceTo(Tuesday(11)));
        Assert.Empty(original.Faults);
        Assert.Equal(100, original.GetActuator("plant1.line1.speed"));
        Assert.Equal(Tuesday(11), clone.Now);
        Assert.Contains(cloneReadings, r => r.SensorKey == "plant1.line2.lathe1.state" && r.Value == 0);
    }

    [Fact]
    public void Clone_WithoutChanges_ContinuesIdenticallyToTheOriginal()
    {
        var original = new Twin(World, 12, Tuesday(10));
        original.AdvanceTo(Tuesday(10.2));
        var clone = original.Clone();

        Assert.Equal(original.AdvanceTo(Tuesday(10.4)), clone.AdvanceTo(Tuesday(10.4)));
    }

    [Fact]
    public void SamplingScale_Half_DoublesTheReadingRate()
    {
        var twin = new Twin(World, 1, Tuesday(10));
        var natural = twin.ReadingsPerSecond;

        twin.SamplingScale = 0.5;

        Assert.Equal(2 * natural, twin.ReadingsPerSecond, 6);
        Assert.Equal(120, twin.AdvanceTo(Tuesday(10).AddMinutes(1)).Count(r => r.SensorKey == "plant1.line1.press1.vibration"));
    }
}
