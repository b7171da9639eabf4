using System.Reflection;
using Bunit;
using CityOps.Analytics;
using CityOps.Analytics.Kpi;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Kpi;
using Microsoft.AspNetCore.Authorization;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Kpi;

public class KpiPagesTests : BunitContext
{
    private static readonly KpiOptions Options = new();
    private static readonly KpiPeriod Day = new(KpiPeriodKind.Day, new DateTime(2026, 11, 17, 0, 0, 0, DateTimeKind.Utc),
        new DateTime(2026, 11, 18, 0, 0, 0, DateTimeKind.Utc), TimeZoneInfo.Utc);

    public KpiPagesTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    private static WorkUnitKpis Unit(string key, string name, AssetType type, string? parent, OeeInputs? inputs) => inputs is null
        ? new WorkUnitKpis(key, name, type, parent, false, 0, 0, 0, 0, null, null, 0, new OeeResult(null, null, null, null, null, null, null, null))
        : new WorkUnitKpis(key, name, type, parent, true, inputs.PlannedBusyTime, inputs.ActualProductionTime, inputs.RepairTime, 0,
            inputs.ProducedQuantity, inputs.GoodQuantity, inputs.Failures, Oee.Compute(inputs));

    /// <summary>A world-class line (OEE 90 %), a poor machine (OEE 50 %) and a machine that reported nothing.</summary>
    private static PlantKpiReport Report()
    {
        var good = new OeeInputs(400, 400, 0.1, 3700, 3600, 1, 10);
        var poor = new OeeInputs(400, 250, 0.1, 2100, 2000, 4, 100);
        return new PlantKpiReport(Day, "p", "Works", Unit("p", "Works", AssetType.Plant, null, good),
            [Unit("p.l1", "Line one", AssetType.Line, null, good)],
            [Unit("p.l1.a", "Machine A", AssetType.Machine, "p.l1", good), Unit("p.l1.b", "Machine B", AssetType.Machine, "p.l1", poor),
             Unit("p.l1.c", "Machine C", AssetType.Machine, "p.l1", null)],
            [new DowntimeSlice("Breakdown (line stopped)", "p.l1", "Line one", 110, 1)],
            [new TrendPoint(new DateTime(2026, 11, 17, 6, 0, 0), 0.9), new TrendPoint(new DateTime(2026, 11, 17, 7, 0, 0), null),
             new TrendPoint(new DateTime(2026, 11, 17, 8, 0, 0), 0.8)],
            null, 3600, null);
    }

    [Fact]
    public void Render_PlantSheet_ShowsTrafficLightsAgainstTargets()
    {
        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, PlantSheet.Build(Report(), null, Options)));

        var oee = cut.Find("[data-kpi='oee']");
        Assert.Equal("90.0 %", oee.QuerySelector("[data-testid='kpi-value']")!.TextContent);
        Assert.Equal("on target", oee.QuerySelector("[data-testid='kpi-status']")!.TextContent);
        Assert.Contains("kpi-light--green", oee.GetAttribute("class"));
        var machineB = cut.FindAll("table[data-table='machines'] tbody tr").Single(r => r.TextContent.Contains("Machine B"));
        var oeeCell = machineB.QuerySelectorAll("td")[3];
        Assert.Equal("Red", oeeCell.GetAttribute("data-light"));
        Assert.Equal("50.0 %", oeeCell.TextContent.Trim());
    }

    [Fact]
    public void Render_MissingData_ShowsDashesNeverZero()
    {
        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, PlantSheet.Build(Report(), null, Options)));

        var machineC = cut.FindAll("table[data-table='machines'] tbody tr").Single(r => r.TextContent.Contains("Machine C"));
        var cells = machineC.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.All(cells, c => Assert.Equal("—", c));
        Assert.Equal("Missing", machineC.QuerySelectorAll("td")[3].GetAttribute("data-light"));
        var energy = cut.Find("[data-kpi='energy-per-unit']");
        Assert.Equal("—", energy.QuerySelector("[data-testid='kpi-value']")!.TextContent);
        Assert.Equal("no data", energy.QuerySelector("[data-testid='kpi-status']")!.TextContent);
        // No previous period: the comparison is missing too.
        Assert.Contains("Previous — (—)", cut.Find("[data-kpi='oee']").TextContent);
    }

    [Fact]
    public void Render_MachineRow_LinksToTheAssetAndLineRowDrillsIntoItsMachines()
    {
        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, PlantSheet.Build(Report(), null, Options, periodQuery: "period=day&at=2026-11-17&")));

        Assert.Equal("/assets/p.l1.a", cut.Find("table[data-table='machines'] a").GetAttribute("href"));
        Assert.Equal("/kpi/plant?period=day&at=2026-11-17&line=p.l1#machines", cut.Find("table[data-table='lines'] a").GetAttribute("href"));
    }

    [Fact]
    public void Render_TrendWithAGap_DrawsTwoSegmentsNotAZero()
    {
        var cut = Render<KpiTrendChart>(p => p.Add(v => v.Points, Report().OeeTrend).Add(v => v.Target, 0.85));

        Assert.Equal(2, cut.FindAll("polyline").Count);
        Assert.Equal(2, cut.FindAll("circle").Count);
        Assert.Contains("1 of 3 steps without data", cut.Find("figcaption").TextContent);
    }

    [Fact]
    public void Render_AlarmHistoryUnavailable_EveryFigureIsMissing()
    {
        var sheet = AlarmSheet.Build(new AlarmKpiReport(Day, false, null, null), Options);

        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, sheet));

        Assert.All(cut.FindAll("[data-testid='kpi-value']"), v => Assert.Equal("—", v.TextContent));
        Assert.All(cut.FindAll("[data-testid='kpi-status']"), v => Assert.Equal("no data", v.TextContent));
    }

    [Fact]
    public void Render_AlarmReport_FloodAboveTargetIsRed()
    {
        var raised = new DateTime(2026, 11, 17, 8, 0, 0, DateTimeKind.Utc);
        // Twelve alarms in one 10-minute interval: a flood in 1 of 144 intervals (0.69 %) but a peak of 12 > 10.
        var alarms = Enumerable.Range(0, 12).Select(i => new AlarmOccurrence(raised.AddSeconds(i * 20), raised.AddMinutes(2), raised.AddMinutes(5),
            CityOps.Analytics.Alerts.AlarmPriority.Low, "plant", "r" + i, "s")).ToList();
        var report = AlarmSystemKpis.Compute(alarms, Day.From, Day.To);
        var sheet = AlarmSheet.Build(new AlarmKpiReport(Day, true, report, null), Options);

        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, sheet));

        Assert.Equal("12", cut.Find("[data-kpi='peak'] [data-testid='kpi-value']").TextContent);
        Assert.Contains("kpi-light--red", cut.Find("[data-kpi='peak']").GetAttribute("class"));
        Assert.Contains("kpi-light--green", cut.Find("[data-kpi='flood']").GetAttribute("class"));
    }

    [Theory]
    [InlineData(typeof(PlantKpis))]
    [InlineData(typeof(CityKpis))]
    [InlineData(typeof(AlarmKpis))]
    public void KpiPage_RequiresTheManagerPolicy(Type page)
    {
        Assert.Equal(Policies.Manager, page.GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }

    [Fact]
    public void ToCsv_Sheet_HoldsExactlyTheShownTexts()
    {
        var sheet = PlantSheet.Build(Report(), null, Options);

        var csv = sheet.ToCsv();

        Assert.Contains("Summary,OEE,90.0 %,≥ 85.0 %,—,—,on target", csv);
        Assert.Contains("Machines,Machine C,—,—,—,—,—,—,—,—,—,—,—,—", csv);
    }
}
