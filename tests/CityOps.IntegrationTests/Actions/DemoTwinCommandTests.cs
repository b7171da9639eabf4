using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator;
using CityOps.Web.Data;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Demo;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static CityOps.IntegrationTests.Actions.ActionsTestKit;

namespace CityOps.IntegrationTests.Actions;

/// <summary>Demo mode: suggestions predicted by the running twin, and commands the twin applies.</summary>
public sealed class DemoTwinCommandTests(PostgresFixture pg) : IAsyncLifetime
{
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
        await Wait.UntilAsync(() => Task.FromResult(_app.Services.GetRequiredService<DemoTwinHost>().IsRunning), TimeSpan.FromSeconds(60), "the demo twin");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AcceptSuggestion_LeakInWaterZone_TwinAppliesTheBypassAndItsPressureResponds()
    {
        const string zone = "city.riverside.wz";
        Leak(zone);

        var view = await RaiseAndWaitAsync(_app.Services, Alarm(101, zone, zone + ".pressure_cp", AlarmPriority.High), OpenBypassPlaybook.PlaybookKey);
        var effect = view.Effect;
        Assert.NotNull(effect);
        Assert.NotNull(effect.Without.CrossesAt);
        Assert.Equal(zone + ".bypass", view.Suggestion.ActuatorKey);
        Assert.InRange(view.Suggestion.ProposedValue, 1, 100);

        var requested = await _app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", Ct);
        var applied = await WaitForCommandAsync(_app.Services, requested.Id, c => c.IsFinal, "the command to finish");

        Assert.Equal(CommandStatus.Applied, applied.Status);
        Assert.Equal(view.Suggestion.ProposedValue, await CityOps.IntegrationTests.Ingest.IngestTestHost.QueryScalarAsync<double>(_connectionString, "SELECT current_value FROM actuators WHERE key = $1", zone + ".bypass"));
        Assert.Equal(view.Suggestion.ProposedValue, _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.GetActuator(zone + ".bypass")));
        var audit = await AuditActionsAsync(_app.Services);
        Assert.Equal(["suggestion.created", "suggestion.accepted", "command.requested", "command.sent", "command.applied"], audit);

        // The twin's readings after the command lie well above what it predicted without the action.
        var after = applied.AppliedAt!.Value.AddSeconds(20);
        var readings = new List<(DateTime Ts, double Value)>();
        await Wait.UntilAsync(async () =>
        {
            readings = await ActionsTestKit.ReadingsAsync(_connectionString, zone + ".pressure_cp", after);
            return readings.Count >= 3;
        }, TimeSpan.FromSeconds(60), "pressure readings after the command");
        foreach (var (ts, value) in readings)
        {
            var without = ActionsTestKit.Interpolate(effect.Without, ts);
            Assert.True(value > without + 0.3, $"{value:F2} bar at {ts:O}, predicted {without:F2} bar without the action");
        }
    }

    [Fact]
    public async Task AcceptSuggestion_CriticalAlarm_WaitsForASecondDifferentOperator()
    {
        const string zone = "city.southbank.wz";
        Leak(zone);
        var view = await RaiseAndWaitAsync(_app.Services, Alarm(102, zone, zone + ".pressure_cp", AlarmPriority.Critical), OpenBypassPlaybook.PlaybookKey);
        var suggestions = _app.Services.GetRequiredService<SuggestionService>();
        var commands = _app.Services.GetRequiredService<CommandService>();

        var requested = await suggestions.AcceptAsync(view.Suggestion.Id, "first@example.org", Ct);

        Assert.Equal(CommandStatus.AwaitingConfirmation, requested.Status);
        var refused = await Assert.ThrowsAsync<ActionException>(() => commands.ConfirmAsync(requested.Id, "FIRST@example.org", Ct));
        Assert.Contains("second operator", refused.Message);
        Assert.Equal(CommandStatus.AwaitingConfirmation, (await WaitForCommandAsync(_app.Services, requested.Id, _ => true, "the command")).Status);
        Assert.Equal(0, _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.GetActuator(zone + ".bypass")));

        await commands.ConfirmAsync(requested.Id, "second@example.org", Ct);
        var applied = await WaitForCommandAsync(_app.Services, requested.Id, c => c.IsFinal, "the confirmed command to finish");

        Assert.Equal(CommandStatus.Applied, applied.Status);
        Assert.Equal("second@example.org", applied.ConfirmedBy);
        Assert.Equal(view.Suggestion.ProposedValue, _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.GetActuator(zone + ".bypass")));
    }

    [Fact]
    public async Task ModifyAndReject_OutsideRangeOrWithoutReason_AreRefusedAndTheSuggestionStaysOpen()
    {
        const string zone = "city.old_harbour.wz";
        Leak(zone);
        var view = await RaiseAndWaitAsync(_app.Services, Alarm(103, zone, zone + ".pressure_cp", AlarmPriority.High), OpenBypassPlaybook.PlaybookKey);
        var suggestions = _app.Services.GetRequiredService<SuggestionService>();

        var outside = await Assert.ThrowsAsync<ActionException>(() => suggestions.ModifyAsync(view.Suggestion.Id, 150, null, "operator@example.org", Ct));
        var noReason = await Assert.ThrowsAsync<ActionException>(() => suggestions.RejectAsync(view.Suggestion.Id, " ", "operator@example.org", Ct));

        Assert.Equal("city.old_harbour.wz.bypass accepts 0 to 100 %; 150 is outside that range.", outside.Message);
        Assert.Contains("why", noReason.Message);
        Assert.Equal(SuggestionStatus.Proposed, (await suggestions.ForAlarmAsync(103, Ct))[0].Suggestion.Status);

        var other = view.Suggestion.ProposedValue >= 100 ? 90 : 100;
        var modified = await suggestions.ModifyAsync(view.Suggestion.Id, other, "the crew asked for a different opening", "operator@example.org", Ct);
        var applied = await WaitForCommandAsync(_app.Services, modified.Id, c => c.IsFinal, "the modified command to finish");
        Assert.Equal(CommandStatus.Applied, applied.Status);
        Assert.Equal(SuggestionStatus.Modified, (await suggestions.ForAlarmAsync(103, Ct))[0].Suggestion.Status);
        Assert.Equal(other, _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.GetActuator(zone + ".bypass")));
    }

    private void Leak(string zone) =>
        _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.InjectFault(new FaultSpec(FaultKind.Leak, zone, TimeSpan.FromHours(2), Magnitude: 400)));

}
