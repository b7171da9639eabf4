using Bunit;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Live;
using CityOps.Web.Features.Plant;
using CityOps.Web.Features.SensorDetail;
using CityOps.Web.Tests.ControlRoom;

namespace CityOps.Web.Tests.Alerts;

/// <summary>Alarms outside the alarm screens: the navigation badge, the map, the plant view and the trends.</summary>
public class AlarmElsewhereTests : AlarmScreenTests
{
    private const string Press = "tplant.line1.press";

    [Fact]
    public void NavBadge_NoUnacknowledgedAlarms_ShowsNothing()
    {
        Alarms.Raise(AlarmPriority.Critical, state: AlarmState.ActiveAcknowledged);

        var cut = Render<AlarmNavBadge>();

        Assert.Empty(cut.FindAll("[data-testid='alarm-nav-badge']"));
    }

    [Fact]
    public void NavBadge_AlarmsRaisedAndAcknowledged_CountsUnacknowledgedWithTheWorstShape()
    {
        Alarms.Raise(AlarmPriority.Low);
        Alarms.Raise(AlarmPriority.High, state: AlarmState.ReturnedUnacknowledged);
        Alarms.Raise(AlarmPriority.Critical, state: AlarmState.ActiveAcknowledged);
        var cut = Render<AlarmNavBadge>();
        Assert.Equal("▲ 2", cut.Find("[data-testid='alarm-nav-badge']").TextContent.Trim());

        var critical = Alarms.Raise(AlarmPriority.Critical);

        cut.WaitForAssertion(() => Assert.Equal("◆ 3", cut.Find("[data-testid='alarm-nav-badge']").TextContent.Trim()));
        Assert.Equal("3 unacknowledged, worst Critical", cut.Find("[data-testid='alarm-nav-badge']").GetAttribute("aria-label"));

        Alarms.Apply(critical with { State = AlarmState.ActiveAcknowledged });

        cut.WaitForAssertion(() => Assert.Equal("▲ 2", cut.Find("[data-testid='alarm-nav-badge']").TextContent.Trim()));
    }

    [Fact]
    public void Map_MarkerWithAlarm_SendsItsPriorityShapeAndColour()
    {
        var map = JSInterop.SetupModule(ControlRoomMap.ModulePath).SetupModule(i => i.Identifier == "create");
        var view = new MapView(48.14, 11.58, 16, null);
        List<MapMarker> Markers(AlarmPriority? alarm) => [new(1, Press, "Press", 48.14, 11.58, LiveState.Normal, alarm), new(2, "tplant.line1", "Line", 48.14, 11.58, LiveState.Normal)];
        var cut = Render<ControlRoomMap>(p => p.Add(m => m.View, view).Add(m => m.Markers, Markers(AlarmPriority.High)));

        var sent = Assert.IsAssignableFrom<IEnumerable<MapMarkerData>>(Assert.Single(map.Invocations["setMarkers"]).Arguments[0]).ToList();
        Assert.Equal(("high", "High", "▲", "var(--cityops-alarm-high)"), (sent[0].Alarm, sent[0].AlarmLabel, sent[0].AlarmGlyph, sent[0].AlarmColour));
        Assert.Null(sent[1].Alarm);

        cut.Render(p => p.Add(m => m.Markers, Markers(AlarmPriority.Critical)));

        // Only the alarm changed (the live state did not): that marker alone is sent again.
        var changed = Assert.Single(Assert.IsAssignableFrom<IEnumerable<MapMarkerData>>(Assert.Single(map.Invocations["updateStates"]).Arguments[0]));
        Assert.Equal((1, "critical"), (changed.Id, changed.Alarm));
    }

    [Fact]
    public void ControlRoom_AssetWithStandingAlarm_MarkerAndSideListShowTheWorstPriority()
    {
        var map = JSInterop.SetupModule(ControlRoomMap.ModulePath).SetupModule(i => i.Identifier == "create");
        World.Feed(temperature: 70);
        Alarms.Raise(AlarmPriority.Medium);
        Alarms.Raise(AlarmPriority.Critical, state: AlarmState.ActiveAcknowledged);
        // Shelved alarms are hidden by design; they do not make the asset look worse.
        Alarms.Raise(AlarmPriority.High, state: AlarmState.Shelved);

        var cut = Render<CityOps.Web.Features.ControlRoom.ControlRoom>();

        cut.WaitForAssertion(() =>
        {
            var sent = Assert.IsAssignableFrom<IEnumerable<MapMarkerData>>(map.Invocations["setMarkers"].Last().Arguments[0]);
            Assert.Equal("critical", sent.Single(m => m.Id == ScreenTestWorld.PressId).Alarm);
        });
        var row = cut.Find($"[data-testid='attention-list'] li[data-asset-key='{Press}']");
        Assert.Equal("critical", row.QuerySelector("[data-priority]")!.GetAttribute("data-priority"));
    }

    [Fact]
    public void Plant_MachineWithAlarms_ShowsAPriorityBadgeWithShapeWordAndCount()
    {
        World.Feed(temperature: 70);
        var cut = Render<PlantView>(p => p.Add(v => v.SiteKey, "tplant"));
        Assert.Empty(cut.FindAll("[data-testid='machine-alarm']"));

        Alarms.Raise(AlarmPriority.Low);
        Alarms.Raise(AlarmPriority.High);

        cut.WaitForAssertion(() =>
        {
            var badge = cut.Find($"[data-machine-key='{Press}'] [data-testid='machine-alarm']");
            Assert.Equal("high", badge.GetAttribute("data-alarm-priority"));
            Assert.Equal("▲ High ×2", badge.TextContent.Trim());
        });
        var machine = cut.Find($"[data-machine-key='{Press}']");
        Assert.Contains("cityops-plant-machine--attention", machine.GetAttribute("class"));
        Assert.EndsWith("2 alarms, worst High", machine.GetAttribute("aria-label"));
    }

    [Fact]
    public void LiveTrend_AlarmsOfTheSensor_DrawsMarkersAtRaiseAndClear()
    {
        var chart = JSInterop.SetupModule(TrendChart.ModulePath).SetupModule(i => i.Identifier == "create");
        var raised = World.Clock.GetUtcNow().UtcDateTime.AddMinutes(-5);
        var cleared = raised.AddMinutes(2);
        var alarm = AlarmTestBoard.Alarm(1, AlarmPriority.High, "Motor temperature high", raised, AlarmState.ReturnedUnacknowledged) with { ClearedAt = cleared };
        var cut = Render<LiveTrend>(p => p.Add(t => t.Sensor, World.Temperature).Add(t => t.Label, "Motor temperature").Add(t => t.TimeZone, World.Site.TimeZone)
            .Add(t => t.Markers, AlarmMarkers.For([alarm])));

        var options = JSInterop.Invocations.Single(i => i.Identifier == "create").Arguments[1]!;
        var markers = Assert.IsAssignableFrom<IReadOnlyList<TrendMarker>>(options.GetType().GetProperty("markers")!.GetValue(options));
        Assert.Equal([TrendSeries.ToUnixSeconds(raised), TrendSeries.ToUnixSeconds(cleared)], markers.Select(m => m.Ts));
        Assert.Equal(["▲ High raised", "▲ cleared"], markers.Select(m => m.Label));

        cut.Render(p => p.Add(t => t.Markers, AlarmMarkers.For([alarm])));
        Assert.Empty(chart.Invocations["setMarkers"]);

        cut.Render(p => p.Add(t => t.Markers, []));
        Assert.Empty(Assert.IsAssignableFrom<IReadOnlyList<TrendMarker>>(Assert.Single(chart.Invocations["setMarkers"]).Arguments[0]));
    }
}
