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
            null, 3600, null, null, null,
            [new LineEnergyFigure("p.l1", "Line one", "p.l1.meter", 1000, 800, 0.25, 3600, 1000.0 / 3600),
             new LineEnergyFigure("p.l2", "Line two", null, null, null, null, null, null)]);
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

    [Fact]
    public void Render_PlantEnergy_ShowsEachLineAgainstLastWeekAndDrillsIntoItsMachines()
    {
        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, PlantSheet.Build(Report(), null, Options, periodQuery: "period=day&at=2026-11-17&")));

        var rows = cut.FindAll("table[data-table='energy'] tbody tr");
        var rowOne = rows.Single(r => r.TextContent.Contains("Line one"));
        var lineOne = rowOne.QuerySelectorAll("td");
        Assert.Equal("1,000.0 kWh", lineOne[0].TextContent.Trim());
        Assert.Equal("800.0 kWh", lineOne[2].TextContent.Trim());
        // 1000 kWh against 800 a week earlier is +25 %: red against "no more than last week".
        Assert.Equal("+25.0 %", lineOne[3].TextContent.Trim());
        Assert.Equal("Red", lineOne[3].GetAttribute("data-light"));
        // 1000 kWh / 3600 good parts = 0.278 kWh, within the 0.5 kWh target.
        Assert.Equal("0.278 kWh", lineOne[5].TextContent.Trim());
        Assert.Equal("Green", lineOne[5].GetAttribute("data-light"));
        Assert.Equal("/kpi/plant?period=day&at=2026-11-17&line=p.l1#machines", rowOne.QuerySelector("th a")!.GetAttribute("href"));
        // A line without a feeder meter shows dashes, not 0 kWh.
        var lineTwo = cut.FindAll("table[data-table='energy'] tbody tr").Single(r => r.TextContent.Contains("Line two")).QuerySelectorAll("td");
        Assert.All(lineTwo.Select(c => c.TextContent.Trim()), c => Assert.Equal("—", c));
        Assert.Equal("Missing", lineTwo[3].GetAttribute("data-light"));
    }

    private static CityKpiReport City(double? nightFlow, double? billed)
    {
        WaterBalanceResult? balance = billed is { } b ? new WaterBalanceResult(1000, b, (1000 - b) / 1000, 24, 24) : null;
        return new CityKpiReport(Day, "c", "Town", [], null, [], [], null, new double?[24], null,
            [
                new WaterZoneFigure("c.d1.wz", "Zone one", "District one", 1000, billed, balance, nightFlow, nightFlow, 1),
                new WaterZoneFigure("c.d2.wz", "Zone two", "District two", 500, null, null, null, null, 0),
            ],
            balance?.NonRevenueWaterRatio, nightFlow,
            [new EnergyFigure("c.d1.em", "Substation one", "City", "District one", 1200, 960, 0.25)], 1200, 960, 0.25);
    }

    [Fact]
    public void Render_CityWater_ShowsNonRevenueWaterAndNightFlowRiseAndMissingBilling()
    {
        var sheet = CitySheet.Build(City(20, 880), City(16, 900), Options);

        var cut = Render<KpiSheetView>(p => p.Add(v => v.Sheet, sheet));

        var nrw = cut.Find("[data-kpi='nrw']");
        Assert.Equal("12.0 %", nrw.QuerySelector("[data-testid='kpi-value']")!.TextContent);
        Assert.Contains("kpi-light--green", nrw.GetAttribute("class"));
        // Night flow 20 against 16 m³/h in the previous period: +25 %, beyond the 10 % rise allowed.
        var night = cut.Find("[data-kpi='night-flow']");
        Assert.Equal("20.0 m³/h", night.QuerySelector("[data-testid='kpi-value']")!.TextContent);
        Assert.Contains("kpi-light--red", night.GetAttribute("class"));
        var zoneRow = cut.FindAll("table[data-table='water'] tbody tr").Single(r => r.TextContent.Contains("Zone one"));
        var zoneOne = zoneRow.QuerySelectorAll("td");
        Assert.Equal("/assets/c.d1.wz", zoneRow.QuerySelector("th a")!.GetAttribute("href"));
        Assert.Equal("24 of 24 h", zoneOne[3].TextContent.Trim());
        Assert.Equal("120 m³", zoneOne[4].TextContent.Trim());
        Assert.Equal("+25.0 %", zoneOne[9].TextContent.Trim());
        // Zone two has no customer metering: its balance is missing, not 100 % lost.
        var zoneTwo = cut.FindAll("table[data-table='water'] tbody tr").Single(r => r.TextContent.Contains("Zone two")).QuerySelectorAll("td");
        Assert.Equal("500 m³", zoneTwo[1].TextContent.Trim());
        Assert.Equal("—", zoneTwo[5].TextContent.Trim());
        Assert.Equal("Missing", zoneTwo[5].GetAttribute("data-light"));
        Assert.Equal("—", zoneTwo[6].TextContent.Trim());
    }

    [Fact]
    public void ToCsv_CitySheet_HoldsEnergyAgainstPreviousPeriodAndLastWeek()
    {
        var csv = CitySheet.Build(City(20, 880), City(16, 900), Options).ToCsv();

        Assert.Contains("Summary,Energy use vs same period last week,\"1,200 kWh\",change ≤ +0.0 %,960 kWh,+25.0 %,off target", csv);
        Assert.Contains("Energy by district and site,Substation one,District one,\"1,200 kWh\",\"1,200 kWh\",960 kWh,+25.0 %", csv);
    }
}
