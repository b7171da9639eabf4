using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Actions;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator;
using CityOps.Web.Data;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>
/// One road from a field reading to a physical effect in demo mode: readings through the ingest API raise a seeded
/// alarm, the operator acknowledges it, accepts the suggested action, and the twin applies it and responds.
/// </summary>
public sealed class AlarmToActionTests(PostgresFixture pg) : IAsyncLifetime
{
    private const string Zone = "city.riverside.wz";
    private const string Sensor = Zone + ".pressure_cp";
    private const string Bypass = Zone + ".bypass";
    private const string Operator = "operator@example.org";
    private const string RuleKey = "city.water.pressure_low";

    private CityOpsAppFactory _app = null!;
    private string _connectionString = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _connectionString = await pg.CreateDatabaseAsync();
        _app = new CityOpsAppFactory(_connectionString, new Dictionary<string, string?>
        {
            ["CityOps:DemoMode"] = "true",
            ["Demo:BackfillHours"] = "0",
            ["Demo:TickMilliseconds"] = "200",
            ["Demo:ScheduleFaults"] = "false",
        });
        await Wait.UntilAsync(() => Task.FromResult(_app.Services.GetRequiredService<DemoTwinHost>().IsRunning), TimeSpan.FromSeconds(90), "the demo twin");
        await _app.Services.GetRequiredService<AlertEngineService>().Ready.WaitAsync(TimeSpan.FromSeconds(90), Ct);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task IngestToEffect_LowPressureReadings_AlarmAcknowledgedActionAppliedAndPressureResponds()
    {
        // The burst main behind the readings: the twin leaks, so its process model predicts the pressure keeps falling.
        _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.InjectFault(new FaultSpec(FaultKind.Leak, Zone, TimeSpan.FromHours(2), Magnitude: 400)));

        // The zone's pressure transmitter reports 2.2 bar for longer than the rule's two-minute on-delay. The readings lie
        // a little ahead of the twin's own (within the ingest's clock-skew tolerance), so its feed cannot interleave them.
        var start = DateTime.UtcNow.AddSeconds(5);
        var posted = Enumerable.Range(0, 15).Select(i => start.AddSeconds(10 * i)).Select(t => new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc)).ToList();
        await IngestAsync(posted.Select(t => (t, 2.2)));

        var alarm = await WaitForAlarmAsync(a => a.RuleKey == RuleKey && a.SensorKey == Sensor, "the low-pressure alarm");
        Assert.Equal(AlarmState.ActiveUnacknowledged, alarm.State);
        Assert.Equal(2.2, alarm.Value!.Value, 3);
        var row = await QueryAsync(db => db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarm.Id, Ct));
        Assert.Equal(RuleKey, row.RuleKey);
        Assert.Null(row.AcknowledgedAt);

        var changed = await _app.Services.GetRequiredService<AlarmOperations>().AcknowledgeAsync([alarm.Id], Operator, "crew informed", Ct);
        Assert.Equal(1, changed);
        Assert.Equal(AlarmState.ActiveAcknowledged, _app.Services.GetRequiredService<AlarmBoard>().Get(alarm.Id)!.State);
        Assert.Equal(Operator, (await QueryAsync(db => db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarm.Id, Ct))).AcknowledgedBy);

        var suggestions = _app.Services.GetRequiredService<SuggestionService>();
        SuggestionView? view = null;
        await Wait.UntilAsync(async () =>
        {
            view = (await suggestions.ForAlarmAsync(alarm.Id, Ct)).FirstOrDefault(v => v.Suggestion.ActuatorKey == Bypass);
            return view is not null;
        }, TimeSpan.FromSeconds(90), "a bypass suggestion for the alarm");
        var effect = view!.Effect;
        Assert.NotNull(effect);
        Assert.NotNull(effect.Without.CrossesAt);
        Assert.True(effect.With.Extreme > effect.Without.Extreme, $"with the bypass {effect.With.Extreme:F2} bar, without {effect.Without.Extreme:F2} bar");
        var before = await CityOps.IntegrationTests.Ingest.IngestTestHost.QueryScalarAsync<double>(_connectionString, "SELECT current_value FROM actuators WHERE key = $1", Bypass);
        Assert.NotEqual(view.Suggestion.ProposedValue, before);

        var requested = await suggestions.AcceptAsync(view.Suggestion.Id, Operator, Ct);
        Assert.Equal(CommandStatus.Pending, requested.Status);
        var applied = await WaitForCommandAsync(requested.Id, c => c.IsFinal, "the command to finish");

        Assert.Equal(CommandStatus.Applied, applied.Status);
        Assert.True(applied.RequestedAt <= applied.SentAt && applied.SentAt <= applied.AcknowledgedAt && applied.AcknowledgedAt <= applied.AppliedAt,
            $"requested {applied.RequestedAt:O}, sent {applied.SentAt:O}, acknowledged {applied.AcknowledgedAt:O}, applied {applied.AppliedAt:O}");
        Assert.Equal(before, applied.PreviousValue);
        Assert.Equal(view.Suggestion.ProposedValue, await CityOps.IntegrationTests.Ingest.IngestTestHost.QueryScalarAsync<double>(_connectionString, "SELECT current_value FROM actuators WHERE key = $1", Bypass));
        Assert.Equal(view.Suggestion.ProposedValue, _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.GetActuator(Bypass)));

        var audit = await QueryAsync(db => db.AuditLog.AsNoTracking().OrderBy(e => e.Id).ToListAsync(Ct));
        var ack = Assert.Single(audit, e => e.Action == "alarm.acknowledged");
        Assert.Equal(Operator, ack.Actor);
        Assert.Contains(alarm.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ack.Target);
        Assert.Equal(Operator, Assert.Single(audit, e => e.Action == "suggestion.accepted").Actor);
        string[] commandTrail = ["command.requested", "command.sent", "command.applied"];
        Assert.Equal(commandTrail, audit.Where(e => e.Action.StartsWith("command.", StringComparison.Ordinal) && commandTrail.Contains(e.Action)).Select(e => e.Action));
        Assert.Equal(Operator, audit.Single(e => e.Action == "command.requested").Actor);
        Assert.True(audit.FindIndex(e => e.Action == "alarm.acknowledged") < audit.FindIndex(e => e.Action == "suggestion.accepted"));

        // The twin's own readings once the bypass has had time to act lie well above its prediction without the action.
        var after = applied.AppliedAt!.Value.AddSeconds(20);
        var readings = new List<(DateTime Ts, double Value)>();
        await Wait.UntilAsync(async () =>
        {
            readings = (await ActionsTestKit.ReadingsAsync(_connectionString, Sensor, after)).Where(r => !posted.Contains(r.Ts)).ToList();
            return readings.Count >= 3;
        }, TimeSpan.FromSeconds(90), "the twin's pressure readings after the command");
        foreach (var (ts, value) in readings)
        {
            var without = ActionsTestKit.Interpolate(effect.Without, ts);
            Assert.True(value > without + 0.3, $"{value:F2} bar at {ts:O}, predicted {without:F2} bar without the action");
        }
    }

    private async Task IngestAsync(IEnumerable<(DateTime Ts, double Value)> readings)
    {
        var key = (await _app.Services.GetRequiredService<ApiKeyService>().CreateAsync("pressure transmitter", ApiKeyScopes.Ingest)).Secret;
        using var http = _app.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var body = JsonSerializer.Serialize(readings.Select(r => new { sensor = Sensor, ts = r.Ts.ToString("O"), value = r.Value }));
        using var response = await http.PostAsync("/api/v1/readings", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<AlarmView> WaitForAlarmAsync(Func<AlarmView, bool> condition, string what)
    {
        var board = _app.Services.GetRequiredService<AlarmBoard>();
        AlarmView? found = null;
        await Wait.UntilAsync(() =>
        {
            found = board.Standing().FirstOrDefault(condition);
            return Task.FromResult(found is not null);
        }, TimeSpan.FromSeconds(60), what);
        return found!;
    }

    private async Task<Command> WaitForCommandAsync(long id, Func<Command, bool> condition, string what)
    {
        Command? command = null;
        await Wait.UntilAsync(async () =>
        {
            command = await QueryAsync(db => db.Commands.AsNoTracking().SingleAsync(c => c.Id == id, Ct));
            return condition(command);
        }, TimeSpan.FromSeconds(60), what);
        return command!;
    }

    private async Task<T> QueryAsync<T>(Func<CityOpsDbContext, Task<T>> query)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        return await query(db);
    }

}
