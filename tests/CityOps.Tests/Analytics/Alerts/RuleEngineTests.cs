using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class RuleEngineTests
{
    private static readonly EngineSensor[] Sensors =
    [
        new(1, "plant", "plant.line1.press1", AssetType.Machine, "plant.line1", Sensor("plant.line1.press1.motor_temp")),
        new(2, "plant", "plant.line1.press1", AssetType.Machine, "plant.line1", Sensor("plant.line1.press1.vibration", MetricKind.VibrationRms, "mm/s")),
        new(3, "plant", "plant.line1.press2", AssetType.Machine, "plant.line1", Sensor("plant.line1.press2.motor_temp")),
        new(4, "plant", "plant.line2.lathe1", AssetType.Machine, "plant.line2", Sensor("plant.line2.lathe1.motor_temp")),
        new(5, "city", "city.market.aq1", AssetType.AirQualityStation, "city.market", Sensor("city.market.aq1.temperature")),
    ];

    private static readonly AlertRuleDefinition MotorHigh =
        Rule("motor.high", new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.Temperature), new LimitParameters { High = 90 });

    [Fact]
    public void OnReading_ScopeByAssetTypeAndMetric_BindsOnlyMatchingSensors()
    {
        var engine = new RuleEngine([MotorHigh], Sensors);
        var output = new List<AlarmSignal>();

        foreach (var sensor in Sensors)
        {
            engine.OnReading(sensor.Id, At(0), 120, output);
        }

        Assert.Equal(3, engine.BindingCount);
        Assert.Equal(["plant.line1.press1.motor_temp", "plant.line1.press2.motor_temp", "plant.line2.lathe1.motor_temp"], output.Select(s => s.SourceKey));
        Assert.All(output, s => Assert.True(s.Active));
        Assert.Equal("plant.line2", output[2].Area);
    }

    [Fact]
    public void OnReading_ScopeBySiteAndSensorKey_AllSetFieldsMustMatch()
    {
        var rules = new[]
        {
            Rule("one", new RuleScope(SensorKey: "plant.line1.press2.motor_temp"), new LimitParameters { High = 90 }),
            Rule("wrong-site", new RuleScope(SensorKey: "plant.line1.press2.motor_temp", SiteKey: "city"), new LimitParameters { High = 90 }),
            Rule("city", new RuleScope(SiteKey: "city"), new LimitParameters { High = 90 }),
        };
        var engine = new RuleEngine(rules, Sensors);
        var output = new List<AlarmSignal>();

        foreach (var sensor in Sensors)
        {
            engine.OnReading(sensor.Id, At(0), 120, output);
        }

        Assert.Equal([("one", "plant.line1.press2.motor_temp"), ("city", "city.market.aq1.temperature")], output.Select(s => (s.RuleKey, s.SourceKey)));
    }

    [Fact]
    public void OnReading_ConditionStartsAndEnds_OneSignalEach()
    {
        var engine = new RuleEngine([MotorHigh], Sensors);
        var output = new List<AlarmSignal>();

        foreach (var (t, v) in new[] { (0, 80.0), (10, 95), (20, 96), (30, 97), (40, 85), (50, 84) })
        {
            engine.OnReading(1, At(t), v, output);
        }

        Assert.Equal([(true, At(10)), (false, At(40))], output.Select(s => (s.Active, s.At)));
        Assert.Equal("95 °C above the high limit 90 °C", output[0].Detection.Detail);
        Assert.False(engine.Current("motor.high", "plant.line1.press1.motor_temp")!.Value.Active);
        Assert.Null(engine.Current("motor.high", "nope"));
    }

    [Fact]
    public void OnClock_SensorStopsReporting_StaleSignal()
    {
        var rule = Rule("dq", new RuleScope(SensorKey: "plant.line1.press1.motor_temp"), new DataQualityParameters());
        var engine = new RuleEngine([rule], Sensors);
        var output = new List<AlarmSignal>();
        engine.OnReading(1, At(0), 60, output);

        engine.OnClock(At(100), output);
        var beforeStale = output.Count;
        engine.OnClock(At(200), output);

        Assert.Equal(0, beforeStale);
        var signal = Assert.Single(output);
        Assert.True(signal.Active);
        Assert.StartsWith("no data for 3 min", signal.Detection.Detail);
        Assert.Single(engine.ActiveConditions());
    }

    [Fact]
    public void OnReading_RaisesChatterCyclesTimesInWindow_FlaggedAndHeldUntilSettled()
    {
        var engine = new RuleEngine([MotorHigh], Sensors, new RuleEngineOptions(ChatterCycles: 3) { ChatterSettle = TimeSpan.FromMinutes(5) });
        var output = new List<AlarmSignal>();

        // Alternates across the limit every 10 s for 3 minutes, then stays normal.
        for (var t = 0; t < 180; t += 10)
        {
            engine.OnReading(1, At(t), t % 20 == 0 ? 95 : 85, output);
        }
        var whileCycling = output.ToList();
        for (var t = 180; t <= 600; t += 10)
        {
            engine.OnReading(1, At(t), 85, output);
        }

        Assert.Equal(
            [(true, At(0), false), (false, At(10), false), (true, At(20), false), (false, At(30), false), (true, At(40), true)],
            whileCycling.Select(s => (s.Active, s.At, s.Chattering)));
        var clear = output[^1];
        Assert.Equal((false, At(170 + 300), true), (clear.Active, clear.At, clear.Chattering));
        Assert.Equal(6, output.Count);
    }

    [Fact]
    public void OnReading_AfterChatteringSettled_NextRaiseNotFlagged()
    {
        var engine = new RuleEngine([MotorHigh], Sensors, new RuleEngineOptions(ChatterCycles: 3) { ChatterSettle = TimeSpan.FromMinutes(1) });
        var output = new List<AlarmSignal>();
        for (var t = 0; t < 60; t += 10)
        {
            engine.OnReading(1, At(t), t % 20 == 0 ? 95 : 85, output);
        }
        engine.OnReading(1, At(60), 85, output);
        engine.OnClock(At(120), output);
        output.Clear();

        engine.OnReading(1, At(300), 95, output);

        var raise = Assert.Single(output);
        Assert.False(raise.Chattering);
    }

    [Fact]
    public void OnReading_ManyAlarmsInOneArea_FloodMonitorFloods()
    {
        var sensors = Enumerable.Range(1, 12)
            .Select(i => new EngineSensor(i, "plant", $"plant.line1.m{i}", AssetType.Machine, "plant.line1", Sensor($"plant.line1.m{i}.motor_temp")))
            .ToList();
        var engine = new RuleEngine([MotorHigh], sensors);
        var output = new List<AlarmSignal>();

        for (var i = 1; i <= 12; i++)
        {
            engine.OnReading(i, At(i * 20), 99, output);
        }

        Assert.Equal(12, output.Count);
        Assert.Equal(new FloodStatus(true, At(11 * 20), 12), engine.Floods.Status("plant.line1"));
        engine.OnClock(At(20 + 600 + 25), output);
        Assert.False(engine.Floods.Status("plant.line1").Flooding);
    }

    [Fact]
    public void SetRules_RuleRemovedWhileActive_DisappearsWithoutClearSignals()
    {
        var quality = Rule("dq", new RuleScope(Metric: MetricKind.Temperature), new DataQualityParameters());
        var engine = new RuleEngine([MotorHigh, quality], Sensors);
        var output = new List<AlarmSignal>();
        foreach (var sensor in Sensors)
        {
            engine.OnReading(sensor.Id, At(0), 120, output);
        }
        output.Clear();

        var gone = engine.SetRules([quality]);
        foreach (var sensor in Sensors)
        {
            engine.OnReading(sensor.Id, At(10), 20, output);
        }
        engine.OnClock(At(20), output);

        Assert.Empty(output);
        Assert.Equal(3, gone.Count);
        Assert.All(gone, g => Assert.Equal("motor.high", g.RuleKey));
        Assert.Empty(engine.ActiveConditions());
    }

    [Fact]
    public void SetRules_UnchangedModel_KeepsStateAndDoesNotRaiseAgain()
    {
        var engine = new RuleEngine([MotorHigh], Sensors);
        var output = new List<AlarmSignal>();
        engine.OnReading(1, At(0), 120, output);
        output.Clear();

        var renamed = MotorHigh with { Name = "Motor hot", Priority = AlarmPriority.High };
        var gone = engine.SetRules([renamed]);
        engine.OnReading(1, At(10), 121, output);

        Assert.Empty(gone);
        Assert.Empty(output);
        Assert.Single(engine.ActiveConditions());
    }

    [Fact]
    public void SetRules_ChangedModel_ReplacedAndReportedAsGone()
    {
        var engine = new RuleEngine([MotorHigh], Sensors);
        var output = new List<AlarmSignal>();
        engine.OnReading(1, At(0), 120, output);
        output.Clear();

        var gone = engine.SetRules([MotorHigh with { Model = new LimitParameters { High = 130 } }]);
        engine.OnReading(1, At(10), 121, output);

        Assert.Equal(3, gone.Count);
        Assert.Empty(output);
        Assert.Empty(engine.ActiveConditions());
    }

    [Fact]
    public void Constructor_ModelNotAvailable_RuleSkippedWithReason()
    {
        var engine = new RuleEngine([MotorHigh, Rule("future", new RuleScope(), new FutureParameters())], Sensors);

        var skipped = Assert.Single(engine.SkippedRules);
        Assert.Equal("future", skipped.RuleKey);
        Assert.Equal(3, engine.BindingCount);
    }

    [Fact]
    public void Constructor_DisabledRule_NotBound()
    {
        var engine = new RuleEngine([MotorHigh with { Enabled = false }], Sensors);

        Assert.Equal(0, engine.BindingCount);
    }

    [Fact]
    public void LoadStates_AfterSaveStates_ContinuesWithTheSameSignals()
    {
        var rules = new[]
        {
            MotorHigh with { Model = new LimitParameters { High = 90, Deadband = 2, OnDelay = TimeSpan.FromSeconds(30), OffDelay = TimeSpan.FromSeconds(30) } },
            Rule("dq", new RuleScope(SiteKey: "plant"), new DataQualityParameters { FlatlineDuration = TimeSpan.FromMinutes(5) }),
        };
        var original = new RuleEngine(rules, Sensors);
        var output = new List<AlarmSignal>();
        Run(original, 0, 1800, output);

        var restored = new RuleEngine(rules, Sensors);
        restored.LoadStates(original.SaveStates());
        Assert.Equal(original.ActiveConditions(), restored.ActiveConditions());

        var expected = new List<AlarmSignal>();
        var actual = new List<AlarmSignal>();
        Run(original, 1800, 7200, expected);
        Run(restored, 1800, 7200, actual);
        Assert.Equal(expected, actual);
        Assert.True(expected.Count >= 4);
        Assert.Equal(original.SaveStates(), restored.SaveStates());

        static void Run(RuleEngine engine, int from, int to, List<AlarmSignal> output)
        {
            for (var t = from; t < to; t += 10)
            {
                // press1 oscillates across 90 °C every 20 min; press2 is stuck; lathe1 stops reporting after 1 h.
                engine.OnReading(1, At(t), 88 + 4 * Math.Sin(t * Math.PI / 600), output);
                engine.OnReading(3, At(t), 70, output);
                if (t < 3600)
                {
                    engine.OnReading(4, At(t), 60 + t % 3, output);
                }
                if (t % 60 == 0)
                {
                    engine.OnClock(At(t), output);
                }
            }
        }
    }

    private sealed record FutureParameters : ModelParameters;
}
