using System.Text.Json;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Simulator;
using CityOps.Simulator.World;

namespace CityOps.Tests.Simulator;

public class DemoRuleSetTests
{
    private static readonly string[] KnownPlaybooks = ["line.reduce_speed", "water.open_bypass", "water.switch_pump", "traffic.extend_green", "lighting.dim"];

    [Fact]
    public void Create_DemoWorld_EveryRuleRationalisedWithKnownPlaybooks()
    {
        var rules = DemoRuleSet.Create(DemoWorld.Create());

        Assert.Equal(rules.Count, rules.Select(r => r.Key).Distinct().Count());
        Assert.All(rules, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Message));
            Assert.False(string.IsNullOrWhiteSpace(r.Rationalisation.Cause));
            Assert.False(string.IsNullOrWhiteSpace(r.Rationalisation.Consequence));
            Assert.False(string.IsNullOrWhiteSpace(r.Rationalisation.CorrectiveAction));
            Assert.True(r.Rationalisation.TimeToRespond > TimeSpan.Zero);
            Assert.All(r.Playbooks, p => Assert.Contains(p, KnownPlaybooks));
        });
    }

    [Fact]
    public void Create_DemoWorld_PrioritiesFollowIsa182Distribution()
    {
        var counts = DemoRuleSet.Create(DemoWorld.Create()).GroupBy(r => r.Priority).ToDictionary(g => g.Key, g => g.Count());

        Assert.True(counts[AlarmPriority.Low] > counts[AlarmPriority.Medium]);
        Assert.True(counts[AlarmPriority.Medium] > counts[AlarmPriority.High]);
        Assert.False(counts.ContainsKey(AlarmPriority.Critical));
    }

    [Fact]
    public void Create_DemoWorld_EveryRunnableRuleBindsASensor()
    {
        var world = DemoWorld.Create();
        var rules = DemoRuleSet.Create(world);
        var assets = world.Assets.ToDictionary(a => a.Key);
        var sensors = world.Sensors.Select((d, i) => new EngineSensor(i, assets[d.AssetKey].SiteKey, d.AssetKey, assets[d.AssetKey].Type, "area",
            new SensorContext(d.Key, d.Metric, d.Unit, d.Min, d.Max, TimeSpan.FromSeconds(d.IntervalSeconds), TimeZoneInfo.Utc))).ToList();

        var engine = new RuleEngine(rules, sensors);
        var bound = engine.SaveStates().Keys.Select(k => k.RuleKey).ToHashSet();
        var skipped = engine.SkippedRules.Select(s => s.RuleKey).ToHashSet();

        Assert.All(rules.Where(r => !skipped.Contains(r.Key)), r => Assert.Contains(r.Key, bound));
        Assert.All(sensors, s => Assert.Contains(engine.SaveStates().Keys, k => k.RuleKey == "sensor.stale" && k.SourceKey == s.Key));
    }

    [Fact]
    public void Create_RulesSurviveJsonRoundTrip()
    {
        var rules = DemoRuleSet.Create(DemoWorld.Create());

        var json = JsonSerializer.Serialize(rules);
        var back = JsonSerializer.Deserialize<List<AlertRuleDefinition>>(json)!;

        Assert.Equal(rules.Count, back.Count);
        Assert.Equal(json, JsonSerializer.Serialize(back));
        Assert.IsType<ForecastParameters>(back.Single(r => r.Key == "plant.motor_temp.forecast").Model);
    }
}
