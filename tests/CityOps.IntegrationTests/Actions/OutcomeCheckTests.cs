using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Demo;
using Microsoft.Extensions.DependencyInjection;
using static CityOps.IntegrationTests.Actions.ActionsTestKit;

namespace CityOps.IntegrationTests.Actions;

/// <summary>After the horizon, an applied command's prediction is compared with the readings that actually arrived.</summary>
public sealed class OutcomeCheckTests(PostgresFixture pg)
{
    [Fact]
    public async Task AppliedCommand_AfterTheHorizon_RecordsActualAgainstPredicted()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["CityOps:DemoMode"] = "true",
            ["Demo:BackfillHours"] = "0",
            ["Demo:TickMilliseconds"] = "200",
            ["Demo:ScheduleFaults"] = "false",
            ["Actions:Horizon"] = "00:01:00",
        });
        var host = app.Services.GetRequiredService<DemoTwinHost>();
        await Wait.UntilAsync(() => Task.FromResult(host.IsRunning), TimeSpan.FromSeconds(60), "the demo twin");
        const string zone = "city.riverside.wz";
        host.Use(t => t.InjectFault(new FaultSpec(FaultKind.Leak, zone, TimeSpan.FromHours(2), Magnitude: 400)));
        var view = await RaiseAndWaitAsync(app.Services, Alarm(301, zone, zone + ".pressure_cp", AlarmPriority.High), OpenBypassPlaybook.PlaybookKey);

        var requested = await app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", ct);
        var checkedCommand = await WaitForCommandAsync(app.Services, requested.Id, c => c.Outcome is not null, "the outcome check", TimeSpan.FromSeconds(120));

        var outcome = JsonSerializer.Deserialize<OutcomeCheck>(checkedCommand.Outcome!, CommandService.Json)!;
        Assert.Equal(zone + ".pressure_cp", outcome.SensorKey);
        Assert.True(outcome.Readings >= 3, $"{outcome.Readings} readings");
        Assert.NotNull(outcome.ActualExtreme);
        Assert.Equal(view.Effect!.With.Extreme, outcome.PredictedExtreme);
        // The twin is the model, so what happened is much closer to the prediction with the action than the
        // prediction without it is (the action came a few seconds after the prediction, during the leak's ramp).
        var effect = view.Effect!;
        var gap = effect.With.Values.Zip(effect.Without.Values, (w, wo) => Math.Abs(w - wo)).Average();
        Assert.True(outcome.MeanAbsoluteError < 0.5 * gap, $"mean absolute error {outcome.MeanAbsoluteError:F3} bar, with/without gap {gap:F3} bar");
        Assert.Contains("command.outcome_checked", await AuditActionsAsync(app.Services));
    }
}
