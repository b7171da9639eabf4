using Bunit;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Administration.Rules;
using CityOps.Web.Features.Alerts;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;

namespace CityOps.Web.Tests.Administration.Rules;

public class RuleEditorTests : RuleScreenTests
{
    private const string Key = "plant.motor_temp.high";

    private IRenderedComponent<RuleEditorPage> RenderEditor(string? key = Key, IRuleBacktester? backtester = null)
    {
        Backtester.Inner = backtester ?? new BlockingBacktester();
        return Render<RuleEditorPage>(p => p.Add(e => e.Key, key));
    }

    [Fact]
    public void Render_DeadbandWiderThanTheLimits_ExplainsItUnderTheDeadbandAndDisablesSave()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key, high: 80, low: 75, deadband: 6));

        var cut = RenderEditor();

        var deadband = Field(cut, "field-model.deadband");
        Assert.Contains("The deadband (6) must be smaller than the distance between the low and high limits (5)", deadband.TextContent);
        Assert.Contains("mud-input-error", deadband.InnerHtml);
        Assert.DoesNotContain("deadband", Field(cut, "field-model.high").TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("model.deadband", cut.Find("[data-testid='problem-summary']").TextContent);
        Assert.True(cut.Find("[data-testid='rule-save']").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid='backtest-run']").HasAttribute("disabled"));
    }

    [Fact]
    public void Change_DeadbandFixed_MessageGoesAndSaveIsEnabled()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key, high: 80, low: 75, deadband: 6));
        var cut = RenderEditor();

        Input(cut, "field-model.deadband").Change("2");

        Assert.Empty(cut.FindAll("[data-testid='problem-summary']"));
        Assert.DoesNotContain("deadband", Field(cut, "field-model.deadband").TextContent.Replace("Deadband", ""), StringComparison.OrdinalIgnoreCase);
        Assert.False(cut.Find("[data-testid='rule-save']").HasAttribute("disabled"));
    }

    [Fact]
    public async Task SelectModel_Spc_ShowsTheSpcFormAndKeepsTheLimitEditsForLater()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key, high: 80));
        var cut = RenderEditor();
        Input(cut, "field-model.high").Change("85");
        var picker = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Model");

        await cut.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync("spc"));

        Assert.Single(cut.FindAll("[data-testid='model-form-spc']"));
        Assert.Empty(cut.FindAll("[data-testid='model-form-limit']"));
        Assert.Contains("Phase I points", cut.Find("[data-testid='model-form-spc']").TextContent);
        Assert.Contains("CUSUM", cut.Find("[data-testid='model-form-spc']").TextContent);

        picker = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Model");
        await cut.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync("limit"));

        Assert.Equal("85", Input(cut, "field-model.high").GetAttribute("value"));
    }

    [Fact]
    public void Render_LimitRule_ShowsDelaysAsDurationsWithTheirUnit()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key) with { Model = new LimitParameters { High = 80, OnDelay = TimeSpan.FromSeconds(90), OffDelay = TimeSpan.FromMinutes(5) } });

        var cut = RenderEditor();

        var onDelay = cut.FindComponents<DurationField>().Single(d => d.Instance.Field == "model.onDelay");
        Assert.Equal("90", Input(onDelay, "duration-model.onDelay").GetAttribute("value"));
        Assert.Equal(DurationUnit.Seconds, onDelay.FindComponent<MudSelect<DurationUnit>>().Instance.GetState(x => x.Value));
        var offDelay = cut.FindComponents<DurationField>().Single(d => d.Instance.Field == "model.offDelay");
        Assert.Equal("5", Input(offDelay, "duration-model.offDelay").GetAttribute("value"));
        Assert.Equal(DurationUnit.Minutes, offDelay.FindComponent<MudSelect<DurationUnit>>().Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task RunBacktest_Cancelled_ShowsProgressThenStopsTheBacktest()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key));
        var backtester = new BlockingBacktester();
        var cut = RenderEditor(backtester: backtester);

        cut.Find("[data-testid='backtest-run']").Click();
        await backtester.Started.Task.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);

        cut.WaitForAssertion(() => Assert.Equal("40 %", cut.Find("[data-testid='backtest-percent']").TextContent));
        Assert.Equal(40, cut.FindComponent<MudProgressLinear>().Instance.GetState(x => x.Value));
        Assert.Contains("12,000 readings", cut.Find("[data-testid='backtest-progress']").TextContent);
        Assert.Empty(cut.FindAll("[data-testid='backtest-run']"));

        cut.Find("[data-testid='backtest-cancel']").Click();

        Assert.True(await backtester.Ended.Task.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid='backtest-cancelled']")));
        Assert.Empty(cut.FindAll("[data-testid='backtest-progress']"));
        Assert.Empty(cut.FindAll("[data-testid='backtest-result']"));
        Assert.Equal("Not backtested", cut.Find("[data-testid='backtest-state']").TextContent.Trim());
        Assert.False(cut.Find("[data-testid='backtest-run']").HasAttribute("disabled"));
    }

    [Fact]
    public void RunBacktest_Completed_ShowsAlarmsRatesAgainstTheSavedVersionAndShadesTheAlarmsOnTheTrend()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key));
        var from = Now.UtcDateTime.AddDays(-7);
        var to = Now.UtcDateTime;
        var raised = new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);
        var alarms = new[]
        {
            new BacktestAlarm("plant.l1.motor.temp", raised, raised.AddMinutes(12), "Motor temperature is high", 84.2, false),
            new BacktestAlarm("plant.l1.motor.temp", raised.AddHours(5), raised.AddHours(5).AddSeconds(40), "Motor temperature is high", 80.4, true),
            new BacktestAlarm("plant.l1.motor.temp", to.AddHours(-1), null, "Motor temperature is high", 88, false),
        };
        var proposed = new BacktestRates(3, 0.43, 0.003, 2, 1, TimeSpan.FromMinutes(24), TimeSpan.FromHours(1), 0.007);
        var current = new BacktestRates(11, 1.57, 0.011, 4, 6, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(20), 0.004);
        var trend = new BacktestTrend("plant.l1.motor.temp", "°C", [new(from, 60, 62), new(raised, 79, 85), new(to.AddMinutes(-1), 86, 88)]);
        var backtester = new FixedBacktester(new BacktestReport(
            new BacktestResult(Key, from, to, 120_960, 1, alarms, proposed, current, TimeSpan.FromSeconds(2.5)), [trend]));
        var module = JSInterop.SetupModule(RuleBacktestPanel.ModulePath);
        module.Mode = JSRuntimeMode.Loose;
        var cut = RenderEditor(backtester: backtester);

        cut.Find("[data-testid='backtest-run']").Click();

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid='backtest-alarm-count']").TextContent));
        var run = Assert.Single(backtester.Runs);
        Assert.Equal((from, to), (run.From, run.To));
        Assert.Equal(80, ((LimitParameters)run.Definition.Model).High);
        Assert.Contains("1 chattering", cut.Find("[data-testid='backtest-result']").TextContent);
        var perDay = cut.Find("[data-testid='backtest-rates'] tr[data-rate='Per day']").QuerySelectorAll("td").Select(c => c.TextContent).ToList();
        Assert.Equal(["0.43", "1.57"], perDay);
        var chattering = cut.Find("[data-testid='backtest-rates'] tr[data-rate='Chattering']").QuerySelectorAll("td").Select(c => c.TextContent).ToList();
        Assert.Equal(["1", "6"], chattering);
        var rows = cut.FindAll("[data-testid='backtest-alarm']");
        Assert.Equal(3, rows.Count);
        Assert.Contains("12 min", rows[0].TextContent);
        Assert.Contains("still active", rows[2].TextContent);
        Assert.Equal("yes", rows[1].QuerySelectorAll("td")[5].TextContent);
        Assert.Equal("Backtested as it is now", cut.Find("[data-testid='backtest-state']").TextContent.Trim());
        var draw = Assert.Single(module.Invocations, i => i.Identifier == "drawBacktest");
        var options = draw.Arguments[1]!;
        var intervals = (double[][])options.GetType().GetProperty("intervals")!.GetValue(options)!;
        Assert.Equal(3, intervals.Length);
        Assert.Equal((Now.ToUnixTimeSeconds()), intervals[2][1]);

        Input(cut, "field-name").Input("Motor temperature very high");

        Assert.Equal("Changed since the backtest", cut.Find("[data-testid='backtest-state']").TextContent.Trim());
    }

    [Fact]
    public void Save_WithChangeNote_SavesTheEditAsTheNextVersion()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key, high: 80));
        var cut = RenderEditor();

        Input(cut, "field-model.high").Change("82.5");
        Input(cut, "field-changeNote").Input("Fewer nuisance alarms at full load");
        cut.Find("[data-testid='rule-save']").Click();

        var saved = Assert.Single(Backend.Saves);
        Assert.Equal(82.5, ((LimitParameters)saved.Definition.Model).High);
        Assert.Equal("Fewer nuisance alarms at full load", saved.Note);
        cut.WaitForAssertion(() => Assert.Contains("Active version 2", cut.Find("[data-testid='rule-version']").TextContent));
        Assert.Equal("Fewer nuisance alarms at full load", cut.Find("[data-testid='versions'] tr[data-version='2']").QuerySelectorAll("td")[3].TextContent);
    }

    [Fact]
    public void Restore_OldVersionConfirmedWithNote_RestoresItThroughTheStoreAndShowsItActive()
    {
        var v1 = FakeRulePagesBackend.LimitRule(Key, high: 90);
        Backend.Add(FakeRulePagesBackend.LimitRule(Key, high: 80), v1);
        var cut = RenderEditor();
        Assert.Equal("80", Input(cut, "field-model.high").GetAttribute("value"));

        cut.Find("[data-testid='version-restore-1']").Click();
        Assert.Contains("becomes version 3", cut.Find("[data-testid='restore-confirm']").TextContent);
        Assert.Empty(Backend.Restores);
        Input(cut, "restore-note").Input("The lower limit raised too many alarms");
        cut.Find("[data-testid='restore-confirm-button']").Click();

        Assert.Equal([(Key, 1, "The lower limit raised too many alarms", "admin@cityops.local")], Backend.Restores);
        cut.WaitForAssertion(() => Assert.Contains("Active version 3", cut.Find("[data-testid='rule-version']").TextContent));
        Assert.Equal("90", Input(cut, "field-model.high").GetAttribute("value"));
        Assert.Single(cut.FindAll("[data-testid='versions'] tr[data-version='3'] [data-testid='active-version']"));
        Assert.Empty(cut.FindAll("[data-testid='restore-confirm']"));
    }

    [Fact]
    public void Diff_OldVersion_ShowsTheChangedLinesOnly()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule(Key, high: 80), FakeRulePagesBackend.LimitRule(Key, high: 90));
        var cut = RenderEditor();

        cut.Find("[data-testid='version-diff-1']").Click();

        var removed = cut.FindAll("[data-testid='version-diff'] [data-diff='Removed']").Select(e => OneSpace(e.TextContent)).ToList();
        var added = cut.FindAll("[data-testid='version-diff'] [data-diff='Added']").Select(e => OneSpace(e.TextContent)).ToList();
        Assert.Equal(["− \"high\": 90,"], removed);
        Assert.Equal(["+ \"high\": 80,"], added);
    }

    [Fact]
    public async Task Save_NewRuleFilledIn_CreatesItWithAFreePlaybookAndOpensIt()
    {
        var cut = RenderEditor(key: null);
        Assert.Contains("A rule needs a key", Field(cut, "field-key").TextContent);
        Assert.True(cut.Find("[data-testid='rule-save']").HasAttribute("disabled"));

        Input(cut, "field-key").Input("plant.press_temp.high");
        Input(cut, "field-name").Input("Press temperature high");
        Input(cut, "field-message").Input("Press temperature is high");
        Input(cut, "field-rationalisation.cause").Input("Heater control fails");
        Input(cut, "field-rationalisation.consequence").Input("Parts are scrapped");
        Input(cut, "field-rationalisation.correctiveAction").Input("Check the heater controller");
        Input(cut, "playbook-new").Input("plant.call_maintenance");
        cut.Find("[data-testid='playbook-add']").Click();
        Assert.Contains("The scope must name at least one", cut.Find("[data-testid='error-scope']").TextContent);
        var metric = cut.FindComponents<MudSelect<CityOps.Analytics.MetricKind?>>().Single(s => s.Instance.Label == "Metric");
        await cut.InvokeAsync(() => metric.Instance.ValueChanged.InvokeAsync(CityOps.Analytics.MetricKind.Temperature));
        Assert.Empty(cut.FindAll("[data-testid='problem-summary'] li").Select(e => e.TextContent.Trim()));
        cut.Find("[data-testid='rule-save']").Click();

        var saved = Assert.Single(Backend.Saves).Definition;
        Assert.Equal(("plant.press_temp.high", "Press temperature high", "Heater control fails"), (saved.Key, saved.Name, saved.Rationalisation.Cause));
        Assert.Equal(["plant.call_maintenance"], saved.Playbooks);
        Assert.Equal(CityOps.Analytics.MetricKind.Temperature, saved.Scope.Metric);
        Assert.Equal(100, Assert.IsType<LimitParameters>(saved.Model).High);
        Assert.EndsWith("/admin/rules/plant.press_temp.high", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri);
    }

    private static string OneSpace(string text) => System.Text.RegularExpressions.Regex.Replace(text.Trim(), @"\s+", " ");
}
