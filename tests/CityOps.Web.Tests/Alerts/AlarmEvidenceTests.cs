using Bunit;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Alerts.Evidence;
using CityOps.Web.Features.SensorDetail;

namespace CityOps.Web.Tests.Alerts;

public sealed class AlarmEvidenceTests : AlarmScreenTests
{
    [Fact]
    public void Render_LimitRuleEvidence_LegendShowsLimitsWithUnitsAndTheChartGetsTheirSeries()
    {
        var alarm = Alarms.Raise(AlarmPriority.High, ageMinutes: 5);
        var evidence = LimitEvidence(alarm);
        Evidence.Fixed = evidence;
        JSInterop.SetupModule(TrendChart.ModulePath).SetupModule(i => i.Identifier == "evidence");

        var cut = Render<AlarmDetail>(p => p.Add(d => d.Id, alarm.Id));

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='evidence-legend']")), TimeSpan.FromSeconds(10));
        var legend = cut.FindAll("[data-testid='evidence-legend'] li").Select(li => li.TextContent.Trim()).ToList();
        Assert.Contains("High limit: 90.0 °C", legend);
        Assert.Contains("High clears below: 88.0 °C", legend);
        Assert.Contains(legend, l => l.StartsWith("● 3 triggering points, the last 92.4 °C at", StringComparison.Ordinal));
        cut.WaitForAssertion(() => Assert.Single(JSInterop.Invocations, i => i.Identifier == "evidence"), TimeSpan.FromSeconds(10));
        var call = JSInterop.Invocations.Single(i => i.Identifier == "evidence");
        var labels = ((IEnumerable<object>)call.Arguments[1]!.GetType().GetProperty("series")!.GetValue(call.Arguments[1])!)
            .Select(s => (string)s.GetType().GetProperty("label")!.GetValue(s)!).ToList();
        Assert.Equal(["Reading", "High limit", "High clears below", "Triggering"], labels);
        Assert.Empty(cut.FindAll("[data-testid='history-trend']"));
    }

    private AlarmEvidence LimitEvidence(AlarmView alarm)
    {
        var sensor = new SensorContext(alarm.SensorKey!, MetricKind.Temperature, "°C", -20, 150, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc);
        // 85 °C, then three readings above the 90 °C limit up to the raise.
        var readings = Enumerable.Range(0, 60).Select(i => new EvidencePoint(alarm.RaisedAt.AddSeconds(i - 59), i < 57 ? 85 : 92.4)).ToList();
        return EvidenceBuilder.Build(new EvidenceInput(new LimitParameters { High = 90, Deadband = 2, OnDelay = TimeSpan.FromSeconds(2) }, sensor,
            alarm.RaisedAt, null, alarm.RaisedAt.AddMinutes(-30), alarm.RaisedAt.AddMinutes(5), readings));
    }
}
