using CityOps.Simulator;
using static CityOps.Tests.Simulator.SimTestKit;

namespace CityOps.Tests.Simulator;

public sealed class FaultTests
{
    private static readonly CityOps.Simulator.World.WorldDefinition World = DemoWorld.Create();

    /// <summary>A twin and an untouched clone of it, so differences are the fault's doing.</summary>
    private static (Twin Faulted, Twin Baseline) Pair(DateTimeOffset start, int seed = 21)
    {
        var twin = new Twin(World, seed, start);
        return (twin, twin.Clone());
    }

    [Fact]
    public void InjectFault_BearingWear_VibrationRisesBeforeMotorTemperature()
    {
        var (faulted, baseline) = Pair(Tuesday(8));
        const string machine = "plant1.line1.press2";
        var record = faulted.InjectFault(new FaultSpec(FaultKind.BearingWear, machine, TimeSpan.FromHours(6)));
        var end = Tuesday(14);
        var withWear = History(faulted, end, TimeSpan.FromSeconds(30));
        var without = History(baseline, end, TimeSpan.FromSeconds(30));

        DateTimeOffset? FirstExcess(string signal, double threshold)
        {
            for (var t = Tuesday(8); t < end; t = t.AddMinutes(10))
            {
                var key = $"{machine}.{signal}";
                if (Mean(withWear, key, t, t.AddMinutes(10)) - Mean(without, key, t, t.AddMinutes(10)) > threshold)
                {
                    return t;
                }
            }
            return null;
        }
        var vibration = FirstExcess("vibration", 0.5);
        var temperature = FirstExcess("motor_temp", 2.0);

        Assert.NotNull(vibration);
        Assert.NotNull(temperature);
        Assert.True(vibration < temperature, $"vibration from {vibration:t}, temperature from {temperature:t}");
        Assert.Contains($"{machine}.vibration", record.SensorKeys);
        Assert.Contains($"{machine}.motor_temp", record.SensorKeys);
    }

    [Fact]
    public void InjectFault_LeakAtNight_DropsPressureAndRaisesNightFlow()
    {
        var (faulted, baseline) = Pair(Tuesday(1));
        const string zone = "city.riverside.wz";
        var record = faulted.InjectFault(new FaultSpec(FaultKind.Leak, zone, TimeSpan.FromHours(3), Tuesday(1.5)));
        var withLeak = History(faulted, Tuesday(5), TimeSpan.FromSeconds(10));
        var without = History(baseline, Tuesday(5), TimeSpan.FromSeconds(10));

        var flowUp = Mean(withLeak, $"{zone}.flow", Tuesday(2), Tuesday(4)) - Mean(without, $"{zone}.flow", Tuesday(2), Tuesday(4));
        var pressureDown = Mean(without, $"{zone}.pressure_cp", Tuesday(2), Tuesday(4)) - Mean(withLeak, $"{zone}.pressure_cp", Tuesday(2), Tuesday(4));

        Assert.InRange(flowUp, 0.9 * record.Magnitude, 1.1 * record.Magnitude);
        Assert.True(pressureDown > 0.2, $"pressure fell by {pressureDown:F3} bar");
        // Before the leak the two agree.
        Assert.Equal(Mean(without, $"{zone}.flow", Tuesday(1), Tuesday(1.5)), Mean(withLeak, $"{zone}.flow", Tuesday(1), Tuesday(1.5)), 6);
    }

    [Fact]
    public void InjectFault_CongestionAtRushHour_LowersSpeedRaisesOccupancyAndNo2()
    {
        var (faulted, baseline) = Pair(Tuesday(7));
        faulted.InjectFault(new FaultSpec(FaultKind.Congestion, "city.old_harbour", TimeSpan.FromMinutes(60), Tuesday(7.25)));
        var jam = History(faulted, Tuesday(8.25), TimeSpan.FromSeconds(10));
        var normal = History(baseline, Tuesday(8.25), TimeSpan.FromSeconds(10));
        static bool Speed(string k) => k.StartsWith("city.old_harbour.x", StringComparison.Ordinal) && k.EndsWith(".speed", StringComparison.Ordinal);
        static bool Occupancy(string k) => k.StartsWith("city.old_harbour.x", StringComparison.Ordinal) && k.EndsWith(".occupancy", StringComparison.Ordinal);

        Assert.True(MeanWhere(jam, Speed, Tuesday(7.5), Tuesday(8.25)) < 0.7 * MeanWhere(normal, Speed, Tuesday(7.5), Tuesday(8.25)));
        Assert.True(MeanWhere(jam, Occupancy, Tuesday(7.5), Tuesday(8.25)) > MeanWhere(normal, Occupancy, Tuesday(7.5), Tuesday(8.25)) + 10);
        Assert.True(Mean(jam, "city.old_harbour.aq1.no2", Tuesday(7.5), Tuesday(8.25)) > Mean(normal, "city.old_harbour.aq1.no2", Tuesday(7.5), Tuesday(8.25)));
    }

    [Fact]
    public void InjectFault_LineStoppage_MachinesOfTheLineAreDownAndMakeNothing()
    {
        var (faulted, baseline) = Pair(Tuesday(10));
        var record = faulted.InjectFault(new FaultSpec(FaultKind.LineStoppage, "plant1.line3", TimeSpan.FromMinutes(30), Tuesday(10.25)));
        var readings = faulted.AdvanceTo(Tuesday(11));
        var normal = baseline.AdvanceTo(Tuesday(11));
        bool During(SimReading r) => record.IsActiveAt(r.Timestamp);

        Assert.All(readings.Where(r => r.SensorKey.StartsWith("plant1.line3.", StringComparison.Ordinal) && r.SensorKey.EndsWith(".state", StringComparison.Ordinal) && During(r)),
            r => Assert.Equal(0, r.Value));
        Assert.Equal(0, readings.Where(r => r.SensorKey.StartsWith("plant1.line3.", StringComparison.Ordinal) && r.SensorKey.EndsWith(".good", StringComparison.Ordinal)
            && r.Timestamp > record.Start.AddSeconds(15) && During(r)).Sum(r => r.Value));
        Assert.Contains(readings, r => r.SensorKey == "plant1.line3.packer.state" && r.Value == 2 && !During(r));
        Assert.Contains(normal, r => r.SensorKey == "plant1.line3.packer.state" && r.Value == 2 && During(r));
        Assert.Contains("plant1.line3.packer.state", record.SensorKeys);
    }

    [Theory]
    [InlineData(FaultKind.Drift)]
    [InlineData(FaultKind.Spike)]
    [InlineData(FaultKind.Stuck)]
    [InlineData(FaultKind.Dropout)]
    [InlineData(FaultKind.NoiseBurst)]
    public void InjectFault_SensorFault_IsRecordedAndVisibleOnlyInItsWindow(FaultKind kind)
    {
        var (faulted, baseline) = Pair(Tuesday(10));
        const string key = "city.market.wz.pressure_cp";
        var record = faulted.InjectFault(new FaultSpec(kind, key, TimeSpan.FromMinutes(20), Tuesday(10.5), kind == FaultKind.Spike ? 3 : 1));
        var got = faulted.AdvanceTo(Tuesday(11.5)).Where(r => r.SensorKey == key).ToList();
        var truth = baseline.AdvanceTo(Tuesday(11.5)).Where(r => r.SensorKey == key).ToDictionary(r => r.Timestamp, r => r.Value);

        Assert.Equal(kind, Assert.Single(faulted.Faults).Kind);
        Assert.Equal(Tuesday(10.5), record.Start);
        Assert.Equal(Tuesday(10.5).AddMinutes(20), record.End);
        Assert.Equal([key], record.SensorKeys);
        Assert.All(got.Where(r => !record.IsActiveAt(r.Timestamp)), r => Assert.Equal(truth[r.Timestamp], r.Value));
        var inWindow = got.Where(r => record.IsActiveAt(r.Timestamp)).ToList();
        var differences = inWindow.Select(r => r.Value - truth[r.Timestamp]).ToList();
        switch (kind)
        {
            case FaultKind.Drift:
                Assert.InRange(differences[^1], 0.9, 1.0);
                Assert.InRange(differences[0], 0, 0.1);
                break;
            case FaultKind.Spike:
                Assert.All(differences, d => Assert.Equal(3, d, 6));
                break;
            case FaultKind.Stuck:
                Assert.Single(inWindow.Select(r => r.Value).Distinct());
                Assert.Equal(got.Last(r => r.Timestamp < record.Start).Value, inWindow[0].Value);
                Assert.True(truth.Where(p => record.IsActiveAt(p.Key)).Select(p => p.Value).Distinct().Count() > 10);
                break;
            case FaultKind.Dropout:
                Assert.Empty(inWindow);
                Assert.Equal(truth.Count - truth.Keys.Count(record.IsActiveAt), got.Count);
                break;
            case FaultKind.NoiseBurst:
                var sd = Math.Sqrt(differences.Average(d => d * d));
                Assert.InRange(sd, 0.7, 1.3);
                break;
        }
    }

    [Fact]
    public void Schedule_DemoDay_RecordsEveryKindWithItsWindowAndSensors()
    {
        var twin = new Twin(World, 1, TuesdayMidnight);

        var records = twin.Schedule(FaultSchedules.DemoDay(TuesdayMidnight, 5));

        Assert.Equal(records, twin.Faults);
        Assert.All(Enum.GetValues<FaultKind>(), kind => Assert.Contains(records, r => r.Kind == kind));
        Assert.All(records, r =>
        {
            Assert.True(r.End > r.Start);
            Assert.InRange(r.Start, TuesdayMidnight, TuesdayMidnight.AddDays(1));
            Assert.NotEmpty(r.SensorKeys);
        });
        Assert.Equal(Enumerable.Range(1, records.Count), records.Select(r => r.Id));
    }

    [Fact]
    public void DemoDay_SameSeed_SameScheduleAndOtherSeedDiffers()
    {
        Assert.Equal(FaultSchedules.DemoDay(TuesdayMidnight, 3), FaultSchedules.DemoDay(TuesdayMidnight, 3));
        Assert.NotEqual(FaultSchedules.DemoDay(TuesdayMidnight, 3), FaultSchedules.DemoDay(TuesdayMidnight, 4));
    }

    [Fact]
    public void Schedule_DemoDay_EveryFaultIsVisibleInItsSensors()
    {
        var twin = new Twin(World, 1, TuesdayMidnight);
        var baseline = twin.Clone();
        var records = twin.Schedule(FaultSchedules.DemoDay(TuesdayMidnight, 5));

        var faulted = History(twin, Tuesday(24), TimeSpan.FromSeconds(10)).ToLookup(r => r.SensorKey);
        var normal = History(baseline, Tuesday(24), TimeSpan.FromSeconds(10)).ToLookup(r => r.SensorKey);

        Assert.All(records, r => Assert.True(
            r.SensorKeys.Any(key =>
            {
                var a = faulted[key].Where(x => r.IsActiveAt(x.Timestamp)).Select(x => (x.Timestamp, x.Value)).ToList();
                var b = normal[key].Where(x => r.IsActiveAt(x.Timestamp)).Select(x => (x.Timestamp, x.Value)).ToList();
                return !a.SequenceEqual(b);
            }),
            $"{r.Kind} on {r.Target} left no trace"));
    }

    [Fact]
    public void InjectFault_StartInThePast_Throws()
    {
        var twin = new Twin(World, 1, Tuesday(10));

        Assert.Throws<ArgumentOutOfRangeException>(() => twin.InjectFault(new FaultSpec(FaultKind.Drift, "city.market.wz.flow", TimeSpan.FromMinutes(5), Tuesday(9))));
    }

    [Theory]
    [InlineData(FaultKind.BearingWear, "city.market.wz")]
    [InlineData(FaultKind.Leak, "plant1.line1.press1")]
    [InlineData(FaultKind.LineStoppage, "plant1.line1.press1")]
    [InlineData(FaultKind.Drift, "plant1.line1.press1")]
    [InlineData(FaultKind.Congestion, "no.such.asset")]
    public void InjectFault_TargetOfTheWrongKind_ThrowsAndRecordsNothing(FaultKind kind, string target)
    {
        var twin = new Twin(World, 1, Tuesday(10));

        Assert.Throws<ArgumentException>(() => twin.InjectFault(new FaultSpec(kind, target, TimeSpan.FromMinutes(5))));
        Assert.Empty(twin.Faults);
    }

    [Fact]
    public void EndFault_WhileActive_EndsItNowAndTheEffectStops()
    {
        var twin = new Twin(World, 1, Tuesday(10));
        var record = twin.InjectFault(new FaultSpec(FaultKind.Dropout, "city.market.wz.flow", TimeSpan.FromHours(2)));
        twin.AdvanceTo(Tuesday(10.5));

        var ended = twin.EndFault(record.Id);
        var after = twin.AdvanceTo(Tuesday(10.6));

        Assert.Equal(Tuesday(10.5), ended.End);
        Assert.Equal(ended, twin.Faults[0]);
        Assert.Contains(after, r => r.SensorKey == "city.market.wz.flow");
    }
}
