using Bunit;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;

namespace CityOps.Web.Tests.Alerts;

public class AlarmHandoverTests : AlarmScreenTests
{
    private static int Cell(IRenderedComponent<AlarmHandover> cut, string priority, string column) =>
        int.Parse(cut.Find($"[data-testid='priority-counts'] tr[data-priority='{priority}'] [data-testid='{column}']").TextContent);

    private static List<long> Section(IRenderedComponent<AlarmHandover> cut, string key) =>
        cut.FindAll($"[data-testid='handover-{key}'] tr[data-alarm-id]").Select(r => long.Parse(r.GetAttribute("data-alarm-id")!)).ToList();

    [Fact]
    public void Render_MixedAlarms_CountsPerPriorityWithUnacknowledged()
    {
        Alarms.Raise(AlarmPriority.Critical);
        Alarms.Raise(AlarmPriority.High, state: AlarmState.ActiveAcknowledged);
        Alarms.Raise(AlarmPriority.High);
        Alarms.Raise(AlarmPriority.High, state: AlarmState.Shelved, shelvedUntil: World.Clock.GetUtcNow().UtcDateTime.AddHours(1));
        Alarms.Raise(AlarmPriority.Low, state: AlarmState.ReturnedUnacknowledged);

        var cut = Render<AlarmHandover>();

        Assert.Equal((1, 1), (Cell(cut, "critical", "count"), Cell(cut, "critical", "unack")));
        Assert.Equal((3, 1), (Cell(cut, "high", "count"), Cell(cut, "high", "unack")));
        Assert.Equal((0, 0), (Cell(cut, "medium", "count"), Cell(cut, "medium", "unack")));
        Assert.Equal((1, 1), (Cell(cut, "low", "count"), Cell(cut, "low", "unack")));
    }

    [Fact]
    public void Render_AlarmsInTwoAreas_CountsPerArea()
    {
        Alarms.Raise(AlarmPriority.Critical, area: "Line 1");
        Alarms.Raise(AlarmPriority.Low, area: "Line 1");
        Alarms.Raise(AlarmPriority.Low, area: "Line 2");

        var cut = Render<AlarmHandover>();

        var rows = cut.FindAll("[data-testid='area-counts'] tbody tr");
        Assert.Equal(["Line 1", "Line 2"], rows.Select(r => r.GetAttribute("data-area")));
        Assert.Equal(["2", "1"], rows.Select(r => r.QuerySelector("[data-testid='area-total']")!.TextContent));
        // Columns: site, area, critical, high, medium, low, total.
        Assert.Equal(["Test Plant", "Line 1", "1", "", "", "1", "2"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent));
    }

    [Fact]
    public void Render_StandingShelvedSuppressedOutOfService_EachInItsSectionUnacknowledgedFirst()
    {
        var acknowledgedCritical = Alarms.Raise(AlarmPriority.Critical, state: AlarmState.ActiveAcknowledged);
        var unacknowledgedLow = Alarms.Raise(AlarmPriority.Low);
        var until = World.Clock.GetUtcNow().UtcDateTime.AddHours(4);
        var shelved = Alarms.Raise(AlarmPriority.High, state: AlarmState.Shelved, shelvedUntil: until);
        var suppressed = Alarms.Raise(AlarmPriority.Medium, state: AlarmState.SuppressedByDesign);
        var outOfService = Alarms.Raise(AlarmPriority.Medium, state: AlarmState.OutOfService);

        var cut = Render<AlarmHandover>();

        Assert.Equal([unacknowledgedLow.Id, acknowledgedCritical.Id], Section(cut, "standing"));
        Assert.Contains("Acknowledged by operator@cityops.local", cut.Find($"[data-testid='handover-standing'] tr[data-alarm-id='{acknowledgedCritical.Id}']").TextContent);
        Assert.Equal([shelved.Id], Section(cut, "shelved"));
        // The shelving reason comes from the alarm's history; without a database it says so instead of waiting.
        cut.WaitForAssertion(() => Assert.Equal($"until {AlarmStyle.Time(until, World.Site.TimeZone)}: reason not available",
            cut.Find("[data-testid='handover-shelved'] [data-testid='note']").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal([suppressed.Id], Section(cut, "suppressed"));
        Assert.Equal([outOfService.Id], Section(cut, "out-of-service"));
    }

    [Fact]
    public void Print_Clicked_OpensTheBrowsersPrintDialog()
    {
        var cut = Render<AlarmHandover>();

        cut.Find("[data-testid='print'] ").Click();

        JSInterop.VerifyInvoke("print");
    }
}
