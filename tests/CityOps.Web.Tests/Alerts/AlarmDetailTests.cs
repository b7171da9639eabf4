using Bunit.TestDoubles;
using CityOps.Web.Features.Actions;
using Bunit;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.SensorDetail;

namespace CityOps.Web.Tests.Alerts;

public class AlarmDetailTests : AlarmScreenTests
{
    private readonly BunitJSModuleInterop _chart;

    public AlarmDetailTests()
    {
        _chart = JSInterop.SetupModule(TrendChart.ModulePath).SetupModule(i => i.Identifier == "create");
    }

    [Fact]
    public void Render_StandingAlarm_ShowsWhatWhereStateAndPlaceForSuggestedActions()
    {
        var alarm = Alarms.Raise(AlarmPriority.High, "Motor temperature high", ageMinutes: 5);

        var cut = Render<AlarmDetail>(p => p.Add(d => d.Id, alarm.Id));

        Assert.Contains("High", cut.Find("[data-testid='alarm-title']").TextContent);
        Assert.Contains("▲", cut.Find("[data-testid='alarm-title']").TextContent);
        Assert.StartsWith("Unacknowledged · condition active", cut.Find("[data-testid='alarm-state']").TextContent.Trim());
        Assert.Equal("92.4 °C", cut.Find("[data-testid='alarm-value']").TextContent);
        Assert.False(cut.Find("[data-testid='acknowledge']").HasAttribute("disabled"));
        Assert.NotNull(cut.Find("section#suggested-actions"));
        Assert.Equal(alarm.Id, cut.FindComponent<Stub<SuggestedActions>>().Instance.Parameters.Get(x => x.AlarmId));
    }

    [Fact]
    public void Render_AlarmAcknowledgedElsewhere_StateFollowsTheBoard()
    {
        var alarm = Alarms.Raise(AlarmPriority.High);
        var cut = Render<AlarmDetail>(p => p.Add(d => d.Id, alarm.Id));

        Alarms.Apply(alarm with { State = AlarmState.ActiveAcknowledged, AcknowledgedAt = alarm.RaisedAt.AddMinutes(1), AcknowledgedBy = "other@cityops.local" });

        // The page also reads history and rationalisation from the (here unreachable) database; give the dispatcher time for that.
        cut.WaitForAssertion(() => Assert.StartsWith("Acknowledged", cut.Find("[data-testid='alarm-state']").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.True(cut.Find("[data-testid='acknowledge']").HasAttribute("disabled"));
        Assert.Contains("by other@cityops.local", cut.Find("[data-testid='alarm-facts']").TextContent);
    }

    [Fact]
    public void Render_SensorAlarm_EvidenceTrendSpansTheRaiseWithAMarkerAtIt()
    {
        var alarm = Alarms.Raise(AlarmPriority.Critical, ageMinutes: 5);

        var cut = Render<AlarmDetail>(p => p.Add(d => d.Id, alarm.Id));

        cut.WaitForAssertion(() => Assert.Single(JSInterop.Invocations, i => i.Identifier == "create"));
        var options = JSInterop.Invocations.Single(i => i.Identifier == "create").Arguments[1]!;
        var marker = Assert.Single(Assert.IsAssignableFrom<IReadOnlyList<TrendMarker>>(options.GetType().GetProperty("markers")!.GetValue(options)));
        Assert.Equal((TrendSeries.ToUnixSeconds(alarm.RaisedAt), "◆ Critical raised"), (marker.Ts, marker.Label));
        Assert.Equal("alarm", cut.Find("[data-testid='history-trend']").GetAttribute("data-range"));
    }

    [Fact]
    public void Render_AssetModelAlarm_SaysTheEvidenceIsOnTheAsset()
    {
        var alarm = Alarms.Raise(AlarmPriority.Medium, sensor: null);

        var cut = Render<AlarmDetail>(p => p.Add(d => d.Id, alarm.Id));

        Assert.Contains("tplant.line1.press", cut.Find("[data-testid='no-evidence']").TextContent);
    }

    [Fact]
    public void Render_DatabaseUnavailable_SaysHistoryAndRationalisationCannotBeRead()
    {
        var alarm = Alarms.Raise(AlarmPriority.High);

        var cut = Render<AlarmDetail>(p => p.Add(d => d.Id, alarm.Id));

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='alarm-history-error']")), TimeSpan.FromSeconds(10));
        Assert.Equal("The rule's rationalisation cannot be read right now.", cut.Find("[data-testid='no-rationalisation']").TextContent.Trim());
        // The alarm itself is on the board: it shows regardless.
        Assert.Contains(alarm.Message, cut.Find("[data-testid='alarm-title']").TextContent);
    }

    [Fact]
    public void Rationalisation_Given_ShowsCauseConsequenceActionAndTimeToRespond()
    {
        var cut = Render<AlarmRationalisation>(p => p.Add(r => r.Value,
            new Rationalisation("Cooling fan failed", "Winding damage", "Stop the press and check the fan", TimeSpan.FromMinutes(15))));

        Assert.Contains("Cooling fan failed", cut.Markup);
        Assert.Contains("Stop the press and check the fan", cut.Markup);
        Assert.Equal("15 minutes", cut.Find("[data-testid='time-to-respond']").TextContent);
    }
}
