using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class RuleEngineMultivariateTests
{
    private static readonly EngineSensor[] Sensors =
    [
        new(1, "plant1", "plant1.line1.press1", AssetType.Machine, "plant1.line1", Sensor("plant1.line1.press1.motor_temp", intervalSeconds: 5)),
        new(2, "plant1", "plant1.line1.press1", AssetType.Machine, "plant1.line1", Sensor("plant1.line1.press1.vibration", MetricKind.VibrationRms, "mm/s", 0, 50, 1)),
        new(3, "plant1", "plant1.line1.press2", AssetType.Machine, "plant1.line1", Sensor("plant1.line1.press2.motor_temp", intervalSeconds: 5)),
        new(4, "city", "city.market.aq1", AssetType.AirQualityStation, "city.market", Sensor("city.market.aq1.temp")),
    ];

    private static readonly AlertRuleDefinition Machine = Rule("machine.mv", new RuleScope(AssetType: AssetType.Machine),
        new MultivariateParameters { Metrics = [MetricKind.VibrationRms, MetricKind.Temperature], Step = TimeSpan.FromSeconds(10) });

    [Fact]
    public void Constructor_AssetsWithEveryMetric_BoundOncePerAssetWithSensorsInMetricOrder()
    {
        var created = new List<IReadOnlyList<SensorContext>>();
        var engine = Engine(created, []);

        Assert.Equal(1, engine.BindingCount);
        var sensors = Assert.Single(created);
        Assert.Equal(["plant1.line1.press1.vibration", "plant1.line1.press1.motor_temp"], sensors.Select(s => s.Key));
        Assert.Equal([("machine.mv", "plant1.line1.press1")], engine.SaveStates().Keys);
    }

    [Fact]
    public void OnReading_VectorsAtMostEveryStepAndOnlyWhenEverySensorIsFresh()
    {
        var vectors = new List<(DateTime At, double[] Values)>();
        var engine = Engine([], vectors);
        var output = new List<AlarmSignal>();

        engine.OnReading(2, At(0), 1.0, output);   // temperature not heard yet: no vector
        engine.OnReading(1, At(0), 60, output);    // both fresh: vector
        for (var t = 1; t <= 10; t++)
        {
            engine.OnReading(2, At(t), 1.0 + t / 10.0, output); // one vector at 10 s, none in between
        }
        engine.OnReading(2, At(20), 3.0, output);  // temperature 20 s old (> 3 × 5 s): no vector
        engine.OnReading(1, At(21), 61, output);   // fresh again

        Assert.Equal([At(0), At(10), At(21)], vectors.Select(v => v.At));
        Assert.Equal([1.0, 60], vectors[0].Values);
        Assert.Equal([2.0, 60], vectors[1].Values);
        Assert.Equal([3.0, 61], vectors[2].Values);
    }

    [Fact]
    public void OnReading_ModelActive_SignalForTheAsset()
    {
        var engine = Engine([], []);
        var output = new List<AlarmSignal>();

        engine.OnReading(1, At(0), 60, output);
        engine.OnReading(2, At(0), 9, output);
        engine.OnReading(2, At(10), 1, output);

        Assert.Equal([(true, At(0)), (false, At(10))], output.Select(s => (s.Active, s.At)));
        Assert.All(output, s => Assert.Equal(("machine.mv", "plant1.line1.press1", "plant1.line1"), (s.RuleKey, s.SourceKey, s.Area)));
    }

    private static RuleEngine Engine(List<IReadOnlyList<SensorContext>> created, List<(DateTime, double[])> vectors) =>
        new([Machine], Sensors, null, DetectorFactory.Create, (_, sensors) =>
        {
            created.Add(sensors);
            return new RecordingDetector(vectors);
        });

    /// <summary>Records what the engine feeds it; active while the first value is above 5.</summary>
    private sealed class RecordingDetector(List<(DateTime, double[])> vectors) : IMultivariateDetector
    {
        public Detection Update(DateTime timestamp, ReadOnlySpan<double> values)
        {
            vectors.Add((timestamp, values.ToArray()));
            return new Detection(values[0] > 5, values[0] > 5 ? 1 : 0);
        }

        public string SaveState() => "{}";

        public void LoadState(string state)
        {
        }
    }
}
