using Bunit;
using CityOps.Web.Features.Administration.Rules;
using CityOps.Web.Features.Alerts;
using Microsoft.AspNetCore.Components.Forms;

namespace CityOps.Web.Tests.Administration.Rules;

public class RulesPageTests : RuleScreenTests
{
    [Fact]
    public void Import_FileRead_ShowsTheDryRunReportPerRuleThenAppliesIt()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.motor_temp.high"));
        Backend.ImportReport = (_, dryRun) => new RuleImportReport(dryRun,
        [
            new RuleImportLine(1, "plant.motor_temp.high", RuleImportOutcome.Updated, []),
            new RuleImportLine(2, "water.pressure.low", RuleImportOutcome.Created, []),
            new RuleImportLine(3, "plant.broken", RuleImportOutcome.Rejected,
                ["model.deadband: The deadband (6) must be smaller than the distance between the low and high limits (5)."]),
            new RuleImportLine(4, "plant.same", RuleImportOutcome.Unchanged, []),
        ]);
        var cut = Render<RulesPage>();
        cut.Find("[data-testid='import-toggle']").Click();
        const string json = """{ "format": "cityops.alert-rules", "version": 1, "rules": [] }""";

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(json, "rules.json"));

        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-testid='import-report'] tbody tr").Count));
        Assert.Equal([(json, true)], Backend.Imports);
        var rows = cut.FindAll("[data-testid='import-report'] tbody tr");
        Assert.Equal(["Updated", "Created", "Rejected", "Unchanged"], rows.Select(r => r.GetAttribute("data-outcome")));
        Assert.Contains("would be updated", rows[0].TextContent);
        Assert.Contains("would be created", rows[1].TextContent);
        Assert.Contains("The deadband (6) must be smaller", rows[2].TextContent);
        Assert.Contains("Dry run:", cut.Find("[data-testid='import-summary']").TextContent);
        Assert.Contains("Rejected rules are left out", cut.Find("[data-testid='import-panel']").TextContent);

        cut.Find("[data-testid='import-apply']").Click();

        Assert.Equal([(json, true), (json, false)], Backend.Imports);
        cut.WaitForAssertion(() => Assert.Contains("Imported:", cut.Find("[data-testid='import-summary']").TextContent));
        Assert.Contains("created", cut.FindAll("[data-testid='import-report'] tbody tr")[1].TextContent);
        Assert.Empty(cut.FindAll("[data-testid='import-apply']"));
    }

    [Fact]
    public void Import_NotAnExport_SaysWhyAndOffersNoApply()
    {
        Backend.ImportReport = (_, _) => throw new FormatException("The file is not an alert-rule export: its \"format\" must be \"cityops.alert-rules\".");
        var cut = Render<RulesPage>();
        cut.Find("[data-testid='import-toggle']").Click();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("[]", "other.json"));

        cut.WaitForAssertion(() => Assert.Contains("is not an alert-rule export", cut.Find("[data-testid='import-error']").TextContent));
        Assert.Empty(cut.FindAll("[data-testid='import-apply']"));
    }

    [Fact]
    public void Filter_ByTextAndModel_ShowsOnlyMatchingRules()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.motor_temp.high"));
        Backend.Add(FakeRulePagesBackend.LimitRule("water.pressure.low") with
        {
            Name = "Pressure low",
            Model = new CityOps.Analytics.Alerts.SpcParameters(),
        });
        var cut = Render<RulesPage>();
        Assert.Equal(2, cut.FindAll("[data-testid='rules-table'] tbody tr").Count);
        Assert.Contains("admin@cityops.local", cut.Find("tr[data-rule='water.pressure.low']").TextContent);

        Input(cut, "rules-search").Input("pressure");

        Assert.Equal(["water.pressure.low"], cut.FindAll("[data-testid='rules-table'] tbody tr").Select(r => r.GetAttribute("data-rule")));
        Assert.Equal("1 of 2 rules shown", cut.Find("[data-testid='rules-count']").TextContent);
    }

    [Fact]
    public void BulkDisable_TwoSelected_DisablesThoseAndShowsThemDisabled()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.a"));
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.b"));
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.c"));
        var cut = Render<RulesPage>();
        Assert.True(cut.Find("[data-testid='bulk-disable']").HasAttribute("disabled"));

        Input(cut, "select-plant.a").Change(true);
        Input(cut, "select-plant.c").Change(true);
        cut.Find("[data-testid='bulk-disable']").Click();

        var change = Assert.Single(Backend.EnableChanges);
        Assert.Equal(["plant.a", "plant.c"], change.Keys.Order());
        Assert.False(change.Enabled);
        cut.WaitForAssertion(() => Assert.Equal("no", cut.Find("tr[data-rule='plant.a'] [data-testid='rule-enabled']").TextContent));
        Assert.Equal("yes", cut.Find("tr[data-rule='plant.b'] [data-testid='rule-enabled']").TextContent);
        Assert.Equal("2", cut.Find("tr[data-rule='plant.c'] [data-testid='rule-version']").TextContent);
    }

    [Fact]
    public void Delete_Confirmed_DeletesWithTheReasonAndTheRuleLeavesTheList()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.a"));
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.b"));
        var cut = Render<RulesPage>();

        cut.Find("[data-testid='delete-plant.a']").Click();
        Assert.Empty(Backend.Deletes);
        Input(cut, "delete-reason").Input("Replaced by a forecast rule");
        cut.Find("[data-testid='confirm-button']").Click();

        Assert.Equal([("plant.a", "Replaced by a forecast rule")], Backend.Deletes);
        cut.WaitForAssertion(() => Assert.Equal(["plant.b"], cut.FindAll("[data-testid='rules-table'] tbody tr").Select(r => r.GetAttribute("data-rule"))));
    }

    [Fact]
    public void Clone_KeyTaken_RefusesUntilANewKeyIsGiven()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.a"));
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.b"));
        var cut = Render<RulesPage>();

        cut.Find("[data-testid='clone-plant.a']").Click();
        Input(cut, "clone-key").Input("plant.b");

        Assert.Contains("already exists", Field(cut, "clone-key").TextContent);
        Assert.True(cut.Find("[data-testid='confirm-button']").HasAttribute("disabled"));

        Input(cut, "clone-key").Input("plant.a2");
        cut.Find("[data-testid='confirm-button']").Click();

        Assert.Equal([("plant.a", "plant.a2")], Backend.Clones);
        cut.WaitForAssertion(() => Assert.Equal("no", cut.Find("tr[data-rule='plant.a2'] [data-testid='rule-enabled']").TextContent));
    }

    [Fact]
    public void ExportSelected_OneSelected_DownloadsTheExportOfThatRule()
    {
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.a"));
        Backend.Add(FakeRulePagesBackend.LimitRule("plant.b"));
        var module = JSInterop.SetupModule(RuleBacktestPanel.ModulePath);
        var download = module.SetupVoid("download", _ => true);
        var cut = Render<RulesPage>();

        Input(cut, "select-plant.b").Change(true);
        cut.Find("[data-testid='export-selected']").Click();

        Assert.Equal(["plant.b"], Assert.Single(Backend.Exports));
        var call = Assert.Single(download.Invocations);
        Assert.Equal(["alert-rules-1.json", "application/json", "{\"rules\": 1}"], call.Arguments);
    }
}
