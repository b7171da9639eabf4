using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts.Evidence;

namespace CityOps.Tests.Alerts;

public sealed class EvidenceBuilderTests
{
    private static readonly DateTime Raised = new(2026, 3, 2, 10, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime From = Raised.AddMinutes(-30);
    private static readonly DateTime To = Raised.AddMinutes(10);
    private static readonly SensorContext Temp = new("plant.m1.motor_temp", MetricKind.Temperature, "°C", -20, 150, TimeSpan.FromSeconds(10), TimeZoneInfo.Utc);

    [Fact]
    public void Build_LimitRule_HasLimitAndDeadbandLinesAndMarksOnlyReadingsBeyondTheLimitUpToTheRaise()
    {
        var readings = Every(TimeSpan.FromSeconds(10), Raised.AddMinutes(-40), To, t => t < Raised.AddSeconds(-30) ? 80 : 92);
        var p = new LimitParameters { High = 90, Low = 5, Deadband = 3, OnDelay = TimeSpan.FromSeconds(30) };

        var e = EvidenceBuilder.Build(new EvidenceInput(p, Temp, Raised, null, From, To, readings));

        Assert.Equal(
            [("High limit", 90.0, EvidenceLineKind.High), ("High clears below", 87.0, EvidenceLineKind.Deadband),
             ("Low limit", 5.0, EvidenceLineKind.Low), ("Low clears above", 8.0, EvidenceLineKind.Deadband)],
            e.Lines.Select(l => (l.Label, l.Value, l.Kind)));
        Assert.All(e.Readings, r => Assert.InRange(r.At, From, To));
        Assert.Equal(4, e.Triggers.Count);
        Assert.All(e.Triggers, t => Assert.InRange(t.At, Raised.AddSeconds(-30), Raised));
        Assert.All(e.Triggers, t => Assert.True(t.Value > 90));
        Assert.Null(e.Forecast);
        Assert.Empty(e.Scores);
    }

    [Fact]
    public void Build_ForecastRule_ConeFromTheRaiseWidensWithHorizonContainsTheForecastAndCrossesTheLimit()
    {
        var random = new Random(7);
        // Rising 0.3 °C a minute: 84 °C at the raise, so 90 °C is about 20 minutes ahead.
        var readings = Every(TimeSpan.FromSeconds(10), Raised.AddMinutes(-80), To,
            t => 60 + 0.3 * (t - Raised.AddMinutes(-80)).TotalMinutes + 0.2 * (random.NextDouble() - 0.5));
        var p = new ForecastParameters { High = 90, Horizon = TimeSpan.FromMinutes(30) };

        var e = EvidenceBuilder.Build(new EvidenceInput(p, Temp, Raised, null, From, To, readings));

        var cone = Assert.IsType<ForecastCone>(e.Forecast);
        Assert.Equal(30, cone.Points.Count);
        Assert.True(cone.Points[0].At > Raised && cone.Points[0].At < Raised.AddMinutes(2), $"first point at {cone.Points[0].At:O}");
        for (var i = 0; i < cone.Points.Count; i++)
        {
            var q = cone.Points[i];
            Assert.InRange(q.Value, q.Low, q.High);
            if (i > 0)
            {
                Assert.True(q.High - q.Low > cone.Points[i - 1].High - cone.Points[i - 1].Low, $"interval at {i + 1} min not wider than at {i} min");
            }
        }
        Assert.Equal(90, cone.Limit);
        var crossing = Assert.IsType<DateTime>(cone.CrossingAt);
        Assert.InRange(crossing, Raised.AddMinutes(12), Raised.AddMinutes(28));
        Assert.Contains(e.Lines, l => l is { Kind: EvidenceLineKind.High, Value: 90 });
        Assert.NotEmpty(e.Triggers);
        Assert.All(e.Triggers, t => Assert.InRange(t.At, From, Raised));
    }

    [Fact]
    public void Build_ForecastRule_ReadingsAfterTheRaiseDoNotChangeTheCone()
    {
        var rising = Every(TimeSpan.FromSeconds(10), Raised.AddMinutes(-80), To, t => 60 + 0.3 * (t - Raised.AddMinutes(-80)).TotalMinutes);
        var falling = rising.Select(r => r.At > Raised ? r with { Value = 0 } : r).ToList();
        var p = new ForecastParameters { High = 90 };

        var a = EvidenceBuilder.Build(new EvidenceInput(p, Temp, Raised, null, From, To, rising)).Forecast!;
        var b = EvidenceBuilder.Build(new EvidenceInput(p, Temp, Raised, null, From, To, falling)).Forecast!;

        Assert.Equal(a.Points, b.Points);
    }

    [Fact]
    public void Build_BaselineRule_ScoresEveryShownReadingWithItsBandAndMarksTheExcursion()
    {
        var p = new BaselineParameters();
        var random = new Random(3);
        double Noise() => 50 + 2 * (random.NextDouble() - 0.5);
        var state = LearnedState(p, Every(TimeSpan.FromSeconds(10), Raised.AddHours(-8), From, _ => Noise()));
        // Normal until two minutes before the raise, then 20 °C above anything seen.
        var readings = Every(TimeSpan.FromSeconds(10), From, To, t => t >= Raised.AddMinutes(-2) && t <= Raised ? 70 : Noise());

        var e = EvidenceBuilder.Build(new EvidenceInput(p, Temp, Raised, null, From, To, readings, state));

        Assert.Equal(e.Readings.Select(r => r.At), e.Scores.Select(s => s.At));
        Assert.All(e.Scores, s => Assert.InRange(s.Score, 0, 1));
        Assert.All(e.Scores, s => Assert.True(s.Low < s.High));
        var before = e.Scores.Where(s => s.At < Raised.AddMinutes(-2)).Max(s => s.Score);
        // The model reports an event once and damps the readings after it (hold-off): the peak is what shows it.
        var during = e.Scores.Where(s => s.At >= Raised.AddMinutes(-2) && s.At <= Raised).Max(s => s.Score);
        Assert.True(during > 0.5 && during > before, $"score before {before:0.00}, during the excursion {during:0.00}");
        Assert.NotEmpty(e.Triggers);
        Assert.All(e.Triggers, t => Assert.Equal(70, t.Value));
        Assert.All(e.Triggers, t => Assert.InRange(t.At, Raised.AddMinutes(-2), Raised));
        Assert.DoesNotContain(e.Notes, n => n.StartsWith("No saved model state", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_SpcRuleWithKnownCentre_ShowsCentreAndThreeSigmaControlLimits()
    {
        var p = new SpcParameters { Centre = 50, Sigma = 2 };
        var readings = Every(TimeSpan.FromSeconds(10), From, To, t => t > Raised.AddMinutes(-3) ? 57.5 : 50);

        var e = EvidenceBuilder.Build(new EvidenceInput(p, Temp, Raised, null, From, To, readings));

        Assert.Equal([50.0, 56.0, 44.0], e.Lines.Select(l => l.Value));
        Assert.Equal([EvidenceLineKind.Centre, EvidenceLineKind.ControlLimit, EvidenceLineKind.ControlLimit], e.Lines.Select(l => l.Kind));
        Assert.NotEmpty(e.Triggers);
        Assert.All(e.Triggers, t => Assert.Equal(57.5, t.Value));
    }

    [Fact]
    public void From_ForecastEvidence_SharesOneTimeAxisAndBandsTheInterval()
    {
        var readings = Every(TimeSpan.FromSeconds(10), Raised.AddMinutes(-80), To, t => 60 + 0.3 * (t - Raised.AddMinutes(-80)).TotalMinutes);
        var e = EvidenceBuilder.Build(new EvidenceInput(new ForecastParameters { High = 90 }, Temp, Raised, null, From, To, readings));

        var chart = EvidenceChartData.From(e);

        Assert.Equal(["Reading", "High limit", "Forecast", "Forecast interval, upper", "Forecast interval, lower", "Triggering"], chart.Columns.Select(c => c.Label));
        Assert.All(chart.Columns, c => Assert.Equal(chart.Times.Length, c.Values.Length));
        var band = Assert.Single(chart.Bands);
        Assert.Equal((4, 5), (band.Upper, band.Lower));
        Assert.Equal(e.Readings.Count, chart.Columns[0].Values.Count(double.IsFinite));
        Assert.Equal(e.Forecast!.Points.Count, chart.Columns[2].Values.Count(double.IsFinite));
        Assert.Equal(8 * (2 + (chart.Columns.Count + 1) * chart.Times.Length), chart.Pack().Length);
    }

    private static List<EvidencePoint> Every(TimeSpan step, DateTime from, DateTime to, Func<DateTime, double> value)
    {
        var points = new List<EvidencePoint>();
        for (var t = from; t <= to; t += step)
        {
            points.Add(new EvidencePoint(t, value(t)));
        }
        return points;
    }

    /// <summary>The state the live engine would have saved after these readings.</summary>
    private static string LearnedState(ModelParameters model, IEnumerable<EvidencePoint> readings)
    {
        var rule = new AlertRuleDefinition("test.rule", "Test", new RuleScope(SensorKey: Temp.Key), model, AlarmPriority.High, "test",
            new Rationalisation("c", "c", "a", TimeSpan.FromMinutes(5)), []);
        var engine = new RuleEngine([rule], [new EngineSensor(1, "plant", "plant.m1", AssetType.Machine, "plant.line1", Temp)]);
        var output = new List<AlarmSignal>();
        foreach (var r in readings)
        {
            engine.OnReading(1, r.At, r.Value, output);
        }
        return engine.SaveStates()[(rule.Key, Temp.Key)];
    }
}
