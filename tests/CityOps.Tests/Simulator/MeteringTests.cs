using CityOps.Analytics.Kpi;
using CityOps.Simulator;
using static CityOps.Tests.Simulator.SimTestKit;

namespace CityOps.Tests.Simulator;

/// <summary>The line feeder meters and the water zones' billed consumption, as the KPI pages read them.</summary>
public sealed class MeteringTests
{
    private static readonly CityOps.Simulator.World.WorldDefinition World = DemoWorld.Create();

    private static (Twin Faulted, Twin Baseline) Pair(DateTimeOffset start)
    {
        var twin = new Twin(World, 21, start);
        return (twin, twin.Clone());
    }

    private static double Sum(IEnumerable<SimReading> readings, string key, DateTimeOffset from, DateTimeOffset to) =>
        readings.Where(r => r.SensorKey == key && r.Timestamp > from && r.Timestamp <= to).Sum(r => r.Value);

    /// <summary>Each hour's inflow volume (mean m³/h × 1 h) and billed volume, as the KPI query builds them from rollups.</summary>
    private static List<WaterHour> Hours(List<SimReading> readings, string zone, DateTimeOffset from, int hours) =>
        Enumerable.Range(0, hours).Select(h =>
        {
            var start = from.AddHours(h);
            return new WaterHour(start.UtcDateTime, Mean(readings, $"{zone}.flow", start, start.AddHours(1)), Sum(readings, $"{zone}.billed", start, start.AddHours(1)));
        }).ToList();

    [Fact]
    public void InjectFault_Leak_RaisesNonRevenueWaterAndNightFlowButNotBilledConsumption()
    {
        var (faulted, baseline) = Pair(Tuesday(0));
        const string zone = "city.riverside.wz";
        var record = faulted.InjectFault(new FaultSpec(FaultKind.Leak, zone, TimeSpan.FromHours(5), Tuesday(1)));
        var withLeak = History(faulted, Tuesday(6), TimeSpan.FromSeconds(10));
        var without = History(baseline, Tuesday(6), TimeSpan.FromSeconds(10));

        var leaking = WaterBalance.Balance(Hours(withLeak, zone, Tuesday(2), 4))!;
        var normal = WaterBalance.Balance(Hours(without, zone, Tuesday(2), 4))!;

        Assert.Equal(normal.BilledConsumption, leaking.BilledConsumption, 6);
        Assert.InRange(leaking.NonRevenueWaterVolume - normal.NonRevenueWaterVolume, 4 * 0.9 * record.Magnitude, 4 * 1.1 * record.Magnitude);
        Assert.True(leaking.NonRevenueWaterRatio > normal.NonRevenueWaterRatio + 0.2, $"NRW {leaking.NonRevenueWaterRatio:P1} against {normal.NonRevenueWaterRatio:P1}");
        var nightWith = WaterBalance.MinimumNightFlow(Hours(withLeak, zone, Tuesday(2), 2).Select(h => (h.Start.AddHours(1), h.InflowVolume!.Value)))!.Value;
        var nightWithout = WaterBalance.MinimumNightFlow(Hours(without, zone, Tuesday(2), 2).Select(h => (h.Start.AddHours(1), h.InflowVolume!.Value)))!.Value;
        Assert.InRange(nightWith - nightWithout, 0.9 * record.Magnitude, 1.1 * record.Magnitude);
        Assert.DoesNotContain($"{zone}.billed", record.SensorKeys);
    }

    [Fact]
    public void Backfill_NormalDay_EveryZoneLosesBetweenFiveAndTwentyPercent()
    {
        var twin = new Twin(World, 3, TuesdayMidnight);
        var readings = History(twin, Tuesday(24), TimeSpan.FromSeconds(60));

        foreach (var zone in World.Assets.Where(a => a.Type == CityOps.Analytics.AssetType.WaterZone))
        {
            var balance = WaterBalance.Balance(Hours(readings, zone.Key, TuesdayMidnight, 24))!;
            Assert.InRange(balance.NonRevenueWaterRatio!.Value, 0.05, 0.20);
            Assert.Equal(24, balance.Hours);
        }
    }

    [Fact]
    public void InjectFault_LineStoppage_LineEnergyFallsToStandbyAndTheIncomerByAsMuch()
    {
        var (faulted, baseline) = Pair(Tuesday(10));
        var record = faulted.InjectFault(new FaultSpec(FaultKind.LineStoppage, "plant1.line3", TimeSpan.FromMinutes(40), Tuesday(10.25)));
        var stopped = faulted.AdvanceTo(Tuesday(11));
        var running = baseline.AdvanceTo(Tuesday(11));
        var (from, to) = (Tuesday(10.3), Tuesday(10.9));

        var lineStopped = Sum(stopped, "plant1.line3.meter.energy", from, to);
        var lineRunning = Sum(running, "plant1.line3.meter.energy", from, to);
        Assert.True(lineStopped > 0, "the line's controls keep drawing");
        Assert.True(lineStopped < 0.1 * lineRunning, $"{lineStopped:F1} kWh stopped against {lineRunning:F1} kWh running");
        // The other lines do not notice; the incomer loses what the line no longer draws.
        Assert.Equal(Sum(running, "plant1.line1.meter.energy", from, to), Sum(stopped, "plant1.line1.meter.energy", from, to), 6);
        var incomerDrop = Sum(running, "plant1.meter.energy", from, to) - Sum(stopped, "plant1.meter.energy", from, to);
        Assert.InRange(incomerDrop, 0.9 * (lineRunning - lineStopped), 1.1 * (lineRunning - lineStopped));
        Assert.Contains("plant1.line3.meter.energy", record.SensorKeys);
        Assert.True(Mean(stopped, "plant1.line3.meter.power", from, to) < 0.1 * Mean(running, "plant1.line3.meter.power", from, to));
    }

    [Fact]
    public void AdvanceTo_RunningShift_LinesTogetherDrawLessThanTheIncomerAndFollowLineSpeed()
    {
        var (slow, normal) = Pair(Tuesday(10));
        slow.SetActuator("plant1.line2.speed", 60);
        var slowReadings = slow.AdvanceTo(Tuesday(11));
        var normalReadings = normal.AdvanceTo(Tuesday(11));
        var (from, to) = (Tuesday(10.1), Tuesday(11));

        var lines = Enumerable.Range(1, 3).Sum(l => Sum(normalReadings, $"plant1.line{l}.meter.energy", from, to));
        var incomer = Sum(normalReadings, "plant1.meter.energy", from, to);
        Assert.InRange(incomer - lines, 50, 250);   // hall lighting and ventilation, 100–160 kW base
        Assert.True(Sum(slowReadings, "plant1.line2.meter.energy", from, to) < 0.9 * Sum(normalReadings, "plant1.line2.meter.energy", from, to));
    }

    [Fact]
    public void AdvanceTo_SameSeed_GivesTheSameMeterReadings()
    {
        var a = new Twin(World, 5, Tuesday(3)).AdvanceTo(Tuesday(4)).Where(r => r.SensorKey.EndsWith(".billed", StringComparison.Ordinal) || r.SensorKey.Contains(".meter.", StringComparison.Ordinal)).ToList();
        var b = new Twin(World, 5, Tuesday(3)).AdvanceTo(Tuesday(4)).Where(r => r.SensorKey.EndsWith(".billed", StringComparison.Ordinal) || r.SensorKey.Contains(".meter.", StringComparison.Ordinal)).ToList();

        Assert.True(a.Count > 500);
        Assert.Equal(a, b);
    }
}
