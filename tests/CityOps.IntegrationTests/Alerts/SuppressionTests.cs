using CityOps.Analytics;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator.World;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>Suppression by design: a stopped line's machine alarms are hidden and come back when it restarts.</summary>
public class SuppressionTests(AlertsFixture alerts) : IClassFixture<AlertsFixture>
{
    private const string Temp = "tsup.line1.m1.temp";
    private const string State1 = "tsup.line1.m1.state";
    private const string State2 = "tsup.line1.m2.state";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WorldDefinition Line() => new(
        [new SiteDefinition("tsup", "Suppression plant", SiteKind.Plant, 48.1, 11.5, 16, "Europe/Berlin")],
        [
            new AssetDefinition("tsup.line1", "tsup", null, "Line 1", AssetType.Line, 48.1, 11.5),
            new AssetDefinition("tsup.line1.m1", "tsup", "tsup.line1", "Press", AssetType.Machine, 48.1, 11.5),
            new AssetDefinition("tsup.line1.m2", "tsup", "tsup.line1", "Oven", AssetType.Machine, 48.1, 11.5),
        ],
        [
            new SensorDefinition(Temp, "tsup.line1.m1", MetricKind.Temperature, "°C", -20, 200, 1, 48.1, 11.5),
            new SensorDefinition(State1, "tsup.line1.m1", MetricKind.MachineState, "state", 0, 2, 5, 48.1, 11.5),
            new SensorDefinition(State2, "tsup.line1.m2", MetricKind.MachineState, "state", 0, 2, 5, 48.1, 11.5),
        ],
        []);

    [Fact]
    public async Task MachineState_LineStopsAndRestarts_AlarmSuppressedThenBackUnacknowledged()
    {
        await alerts.App.Services.GetRequiredService<WorldRegistration>().RegisterAsync(Line(), Ct);
        var rule = await alerts.AddHighLimitRuleAsync(Temp, 90);
        await alerts.IngestAsync((State1, 2), (State2, 2));
        await alerts.IngestAsync((Temp, 95));
        var alarm = await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the raised alarm");
        Assert.Equal("tsup.line1", alarm.Area);
        await alerts.App.Services.GetRequiredService<AlarmOperations>().AcknowledgeAsync([alarm.Id], "op", null, Ct);

        // One machine down (the other idle) is not a stopped line; both down is. The writer tells the engine about
        // batches in commit order, so an alarm raised by a later batch shows the earlier ones were evaluated.
        var barrier = await alerts.AddHighLimitRuleAsync(AlertsFixture.Speed, 120);
        await alerts.IngestAsync((State1, 0));
        await alerts.IngestAsync((State2, 1));
        await alerts.IngestAsync((AlertsFixture.Speed, 125));
        await alerts.WaitForAlarmAsync(barrier, _ => true, "the barrier alarm");
        Assert.Equal(AlarmState.ActiveAcknowledged, alerts.Board.Get(alarm.Id)!.State);
        await alerts.IngestAsync((State2, 0));

        await alerts.WaitForAlarmAsync(rule, a => a.Id == alarm.Id && a.State == AlarmState.SuppressedByDesign, "the suppression");

        await alerts.IngestAsync((State1, 2));

        var back = await alerts.WaitForAlarmAsync(rule, a => a.Id == alarm.Id && a.State == AlarmState.ActiveUnacknowledged, "the alarm after the restart");
        Assert.True(back.ConditionActive);
        var history = await alerts.App.Services.GetRequiredService<AlarmOperations>().HistoryAsync(alarm.Id, Ct);
        Assert.Equal([AlarmEventKinds.Raised, AlarmEventKinds.Acknowledged, AlarmEventKinds.Suppressed, AlarmEventKinds.Unsuppressed], history.Select(e => e.Kind));
        Assert.Equal("system", history[2].Actor);
    }
}
