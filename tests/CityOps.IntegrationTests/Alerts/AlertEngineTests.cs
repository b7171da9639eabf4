using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Audit;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CityOps.IntegrationTests.Alerts.AlertsFixture;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>The alert engine inside the running application: readings posted over HTTP into a real database raise alarms.</summary>
public class AlertEngineTests(AlertsFixture alerts) : IClassFixture<AlertsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ingest_ReadingCrossesHighLimit_AlarmRowEventAuditAndBoard()
    {
        var rule = await alerts.AddHighLimitRuleAsync(PressTemp, 150);

        await alerts.IngestAsync((PressTemp, 120));
        await alerts.IngestAsync((PressTemp, 171.5));

        var alarm = await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the raised alarm on the board");
        Assert.True(alarm.ConditionActive);
        Assert.Equal(PressTemp, alarm.SensorKey);
        Assert.Equal(PressTemp, alarm.SourceKey);
        Assert.Equal("tplant.line1.press", alarm.AssetKey);
        Assert.Equal("tplant", alarm.SiteKey);
        Assert.Equal("tplant.line1", alarm.Area);
        Assert.Equal(171.5, alarm.Value);
        Assert.Equal("°C", alarm.Unit);
        Assert.Equal(1, alarm.RuleVersion);

        var row = await alerts.QueryAsync(db => db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarm.Id, Ct));
        Assert.Equal(AlarmState.ActiveUnacknowledged, row.State);
        var events = await alerts.QueryAsync(db => db.AlarmEvents.AsNoTracking().Where(e => e.AlarmId == alarm.Id).ToListAsync(Ct));
        var raised = Assert.Single(events);
        Assert.Equal((AlarmEventKinds.Raised, AlarmState.Normal, AlarmState.ActiveUnacknowledged, "system"), (raised.Kind, raised.FromState!.Value, raised.ToState!.Value, raised.Actor));
        var audit = await alerts.QueryAsync(db => db.AuditLog.AsNoTracking().Where(e => e.Target == $"alarm:{alarm.Id}").ToListAsync(Ct));
        var entry = Assert.Single(audit);
        Assert.Equal(("system", AuditCategory.Alarm, "alarm.raised"), (entry.Actor, entry.Category, entry.Action));
    }

    [Fact]
    public async Task Acknowledge_OperatorThenConditionClears_ActiveAcknowledgedThenNormal()
    {
        var rule = await alerts.AddHighLimitRuleAsync(Occupancy, 80);
        await alerts.IngestAsync((Occupancy, 95));
        var alarm = await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the raised alarm");
        using var http = await alerts.SignedInOperatorAsync();

        using var response = await http.PostAsJsonAsync($"/api/v1/alarms/{alarm.Id}/acknowledge", new { comment = "on my way" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ActiveAcknowledged", body.GetProperty("state").GetString());
        var acknowledged = alerts.Board.Get(alarm.Id)!;
        Assert.Equal((AlarmState.ActiveAcknowledged, AlertsFixture.OperatorEmail), (acknowledged.State, acknowledged.AcknowledgedBy));
        using var again = await http.PostAsJsonAsync($"/api/v1/alarms/{alarm.Id}/acknowledge", new { comment = "twice" }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        await alerts.IngestAsync((Occupancy, 40));

        await Wait.UntilAsync(() => Task.FromResult(alerts.Board.Get(alarm.Id) is null), TimeSpan.FromSeconds(30), "the alarm to leave the board");
        var row = await alerts.QueryAsync(db => db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarm.Id, Ct));
        Assert.Equal(AlarmState.Normal, row.State);
        Assert.False(row.ConditionActive);
        Assert.NotNull(row.ClearedAt);
        var history = await alerts.App.Services.GetRequiredService<AlarmOperations>().HistoryAsync(alarm.Id, Ct);
        Assert.Equal([AlarmEventKinds.Raised, AlarmEventKinds.Acknowledged, AlarmEventKinds.Cleared], history.Select(e => e.Kind));
        Assert.Equal(("on my way", AlertsFixture.OperatorEmail), (history[1].Reason, history[1].Actor));
        var audit = await alerts.QueryAsync(db => db.AuditLog.AsNoTracking().Where(e => e.Target == $"alarm:{alarm.Id}").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct));
        Assert.Equal(["alarm.raised", "alarm.acknowledged", "alarm.cleared"], audit);
    }

    [Fact]
    public async Task ConditionClears_Unacknowledged_ReturnedUnacknowledgedUntilAcknowledged()
    {
        var rule = await alerts.AddHighLimitRuleAsync(Speed, 100);
        await alerts.IngestAsync((Speed, 120));
        var alarm = await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the raised alarm");

        await alerts.IngestAsync((Speed, 50));

        await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ReturnedUnacknowledged && !a.ConditionActive, "the returned alarm");
        var changed = await alerts.App.Services.GetRequiredService<AlarmOperations>().AcknowledgeAsync([alarm.Id], "someone", null, Ct);
        Assert.Equal(1, changed);
        Assert.Null(alerts.Board.Get(alarm.Id));
    }

    [Fact]
    public async Task Shelve_ShortDuration_HiddenThenBackUnacknowledgedWhileConditionHolds()
    {
        var rule = await alerts.AddHighLimitRuleAsync(PressTemp, 190);
        await alerts.IngestAsync((PressTemp, 195));
        var alarm = await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the raised alarm");
        var operations = alerts.App.Services.GetRequiredService<AlarmOperations>();
        await operations.AcknowledgeAsync([alarm.Id], "op", null, Ct);
        await Assert.ThrowsAsync<AlarmOperationException>(() => operations.ShelveAsync(alarm.Id, TimeSpan.FromHours(9), "too long", "op", Ct));

        await operations.ShelveAsync(alarm.Id, TimeSpan.FromSeconds(2), "checking the probe", "op", Ct);

        var shelved = alerts.Board.Get(alarm.Id)!;
        Assert.Equal(AlarmState.Shelved, shelved.State);
        Assert.NotNull(shelved.ShelvedUntil);
        var back = await alerts.WaitForAlarmAsync(rule, a => a.Id == alarm.Id && a.State == AlarmState.ActiveUnacknowledged, "the shelving to expire");
        Assert.True(back.ConditionActive);
        Assert.Null(back.ShelvedUntil);
        var history = await operations.HistoryAsync(alarm.Id, Ct);
        Assert.Equal([AlarmEventKinds.Raised, AlarmEventKinds.Acknowledged, AlarmEventKinds.Shelved, AlarmEventKinds.ShelveExpired], history.Select(e => e.Kind));
        Assert.Equal("checking the probe", history[2].Reason);
    }

    [Fact]
    public async Task SubscribeAlarms_LimitCrossed_HubClientReceivesCamelCaseAlarm()
    {
        var rule = await alerts.AddHighLimitRuleAsync(Speed, 125);
        await using var connection = alerts.HubConnection();
        var received = new ConcurrentQueue<JsonElement>();
        connection.On<JsonElement[]>("alarms", batch =>
        {
            foreach (var alarm in batch)
            {
                received.Enqueue(alarm);
            }
        });
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeAlarms", "tcity", Ct);
        await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("SubscribeAlarms", "nowhere", Ct));

        await alerts.IngestAsync((Speed, 129));

        JsonElement pushed = default;
        await Wait.UntilAsync(() => Task.FromResult(received.Any(a =>
        {
            pushed = a;
            return a.GetProperty("ruleKey").GetString() == rule;
        })), TimeSpan.FromSeconds(30), "the alarm push");
        Assert.Equal("ActiveUnacknowledged", pushed.GetProperty("state").GetString());
        Assert.Equal("High", pushed.GetProperty("priority").GetString());
        Assert.Equal(Speed, pushed.GetProperty("sensorKey").GetString());
        Assert.Equal(129, pushed.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task SetEnabled_BulkDisable_StandingAlarmsOutOfServiceWithoutClears()
    {
        var first = await alerts.AddHighLimitRuleAsync(Occupancy, 60);
        var second = await alerts.AddHighLimitRuleAsync(Occupancy, 70);
        await alerts.IngestAsync((Occupancy, 90));
        var a1 = await alerts.WaitForAlarmAsync(first, a => a.State == AlarmState.ActiveUnacknowledged, "the first alarm");
        var a2 = await alerts.WaitForAlarmAsync(second, a => a.State == AlarmState.ActiveUnacknowledged, "the second alarm");
        var store = alerts.App.Services.GetRequiredService<AlertRuleStore>();

        var changed = await store.SetEnabledAsync([first, second], enabled: false, "admin", "commissioning", Ct);

        Assert.Equal(2, changed);
        Assert.Equal(AlarmState.OutOfService, alerts.Board.Get(a1.Id)!.State);
        Assert.Equal(AlarmState.OutOfService, alerts.Board.Get(a2.Id)!.State);
        // The condition goes away while the rules are off: still nothing is cleared.
        await alerts.IngestAsync((Occupancy, 10));
        await alerts.IngestAsync((Occupancy, 95));
        var kinds = await alerts.QueryAsync(db => db.AlarmEvents.AsNoTracking()
            .Where(e => e.AlarmId == a1.Id || e.AlarmId == a2.Id).Select(e => e.Kind).ToListAsync(Ct));
        Assert.DoesNotContain(AlarmEventKinds.Cleared, kinds);
        Assert.Equal(2, kinds.Count(k => k == AlarmEventKinds.OutOfService));
        Assert.DoesNotContain(alerts.Board.Standing(), a => a.RuleKey == first && a.State != AlarmState.OutOfService);

        await store.SetEnabledAsync([first], enabled: true, "admin", null, Ct);

        Assert.Null(alerts.Board.Get(a1.Id));
        await alerts.IngestAsync((Occupancy, 97));
        var fresh = await alerts.WaitForAlarmAsync(first, a => a.State == AlarmState.ActiveUnacknowledged && a.Value == 97, "the re-enabled rule's alarm");
        Assert.NotEqual(a1.Id, fresh.Id);
    }

    [Fact]
    public async Task GetAlarms_ReadKey_ListsStandingAlarmsWithStateNames()
    {
        var rule = await alerts.AddHighLimitRuleAsync(PressTemp, 160);
        await alerts.IngestAsync((PressTemp, 199));
        await alerts.WaitForAlarmAsync(rule, _ => true, "the raised alarm");
        using var http = new HttpClient { BaseAddress = new Uri(alerts.App.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", alerts.Key);

        var alarms = await http.GetFromJsonAsync<JsonElement[]>("/api/v1/alarms", Ct);

        var listed = Assert.Single(alarms!, a => a.GetProperty("ruleKey").GetString() == rule);
        Assert.Equal("ActiveUnacknowledged", listed.GetProperty("state").GetString());
        using var anonymous = new HttpClient { BaseAddress = new Uri(alerts.App.BaseUrl) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/alarms", Ct)).StatusCode);
    }

    [Fact]
    public async Task SaveRule_LimitWithoutLimits_RefusedAndNothingStored()
    {
        var key = $"test.{Guid.NewGuid():N}";
        var invalid = new CityOps.Analytics.Alerts.AlertRuleDefinition(key, "No limits", new CityOps.Analytics.Alerts.RuleScope(SensorKey: Speed),
            new CityOps.Analytics.Alerts.LimitParameters(), CityOps.Analytics.Alerts.AlarmPriority.Low, "never",
            new CityOps.Analytics.Alerts.Rationalisation("-", "-", "-", TimeSpan.FromMinutes(1)), []);

        var refused = await Assert.ThrowsAsync<CityOps.Analytics.Alerts.RuleValidationException>(
            () => alerts.App.Services.GetRequiredService<AlertRuleStore>().SaveAsync(invalid, "admin", null, Ct));

        Assert.Equal("model", Assert.Single(refused.Problems).Field);

        Assert.False(await alerts.QueryAsync(db => db.AlertRules.AnyAsync(r => r.Key == key, Ct)));
        // The engine still reloads: a later valid rule works.
        var rule = await alerts.AddHighLimitRuleAsync(Speed, 126);
        await alerts.IngestAsync((Speed, 127));
        await alerts.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the valid rule's alarm");
    }
}
