using CityOps.Analytics.Kpi;

namespace CityOps.Web.Features.Kpi;

/// <summary>Turns plant reports into what the plant KPI page shows.</summary>
public static class PlantSheet
{
    public static KpiSheet Build(PlantKpiReport report, PlantKpiReport? previous, KpiOptions o, string? selectedLine = null, string periodQuery = "")
    {
        var p = report.Plant.Kpis;
        var q = previous?.Plant.Kpis;
        var band = o.AmberBand;
        var tiles = new List<KpiTile>
        {
            Ratio("oee", "OEE", p.Oee, q?.Oee, o.OeeTarget, true, band, "#lines"),
            Ratio("availability", "Availability", p.Availability, q?.Availability, o.AvailabilityTarget, true, band, "#lines"),
            Ratio("effectiveness", "Effectiveness", p.Effectiveness, q?.Effectiveness, o.EffectivenessTarget, true, band, "#lines"),
            Ratio("quality", "Quality ratio", p.QualityRatio, q?.QualityRatio, o.QualityTarget, true, band, "#lines"),
            Ratio("scrap", "Scrap ratio", p.ScrapRatio, q?.ScrapRatio, o.ScrapRatioTarget, false, band, "#lines"),
            Minutes("mtbf", "MTBF", p.Mtbf, q?.Mtbf, o.MtbfTargetMinutes, true, band, "#machines"),
            Minutes("mttr", "MTTR", p.Mttr, q?.Mttr, o.MttrTargetMinutes, false, band, "#downtime"),
            new("energy-per-unit", "Energy per good unit", KpiFormat.Number(report.EnergyPerGoodUnit, 3, "kWh"), "≤ " + KpiFormat.Number(o.EnergyPerGoodUnitTargetKwh, 3, "kWh"),
                KpiFormat.Number(previous?.EnergyPerGoodUnit, 3, "kWh"), KpiFormat.Signed(PeriodComparison.RelativeChange(report.EnergyPerGoodUnit, previous?.EnergyPerGoodUnit)),
                KpiFormat.Light(report.EnergyPerGoodUnit, o.EnergyPerGoodUnitTargetKwh, false, band), "#energy"),
            EnergySheet.AgainstLastWeek("energy", "Plant energy vs same period last week", report.EnergyKwh, report.WeekEarlierKwh, report.EnergyChange, o),
            EnergySheet.AgainstPrevious("energy-previous", "Plant energy vs previous period", report.EnergyKwh, previous?.EnergyKwh, o),
        };
        var lineRows = report.Lines.Select(l => Row(l, o, $"/kpi/plant?{periodQuery}line={Uri.EscapeDataString(l.Key)}#machines")).ToList();
        var machines = report.Machines.Where(m => selectedLine is null || m.ParentKey == selectedLine).ToList();
        var machineRows = machines.Select(m => Row(m, o, $"/assets/{Uri.EscapeDataString(m.Key)}")).ToList();
        var pareto = report.Pareto.Select(s => (IReadOnlyList<KpiCell>)
        [
            new(s.Cause), new(s.AssetName, Href: $"/kpi/plant?{periodQuery}line={Uri.EscapeDataString(s.AssetKey)}#machines"), new(KpiFormat.Minutes(s.Minutes)), new(KpiFormat.Percent(s.CumulativeShare)),
        ]).ToList();
        var trend = report.OeeTrend.Select(t => (IReadOnlyList<KpiCell>)
        [
            new(t.LocalStart.ToString(report.Period.Length <= TimeSpan.FromDays(2) ? "ddd d MMM HH:mm" : "ddd d MMM", System.Globalization.CultureInfo.InvariantCulture)),
            new(KpiFormat.Percent(t.Value), KpiFormat.Light(t.Value, o.OeeTarget, true, band)),
        ]).ToList();
        string[] unitColumns = ["Availability", "Effectiveness", "Quality", "OEE", "Scrap", "MTBF", "MTTR", "Failures", "Planned", "Running", "Produced", "Good"];
        return new KpiSheet($"Plant KPIs · {report.SiteName}", report.Period.Label, report.Period.Zone.Id, tiles,
        [
            new("lines", "Lines", ["Line", .. unitColumns], lineRows),
            new("machines", selectedLine is null ? "Machines" : $"Machines of {report.Lines.FirstOrDefault(l => l.Key == selectedLine)?.Name ?? selectedLine}",
                ["Machine", .. unitColumns], machineRows),
            new("downtime", "Downtime by cause (Pareto)", ["Cause", "Line", "Lost planned time", "Cumulative share"], pareto),
            new("trend", "OEE trend", ["Start", "OEE"], trend),
            EnergySheet.PlantTable(report, previous, o, periodQuery),
        ]);
    }

    private static IReadOnlyList<KpiCell> Row(WorkUnitKpis u, KpiOptions o, string href)
    {
        var k = u.Kpis;
        var band = o.AmberBand;
        return
        [
            new(u.Name, Href: href),
            new(KpiFormat.Percent(k.Availability), KpiFormat.Light(k.Availability, o.AvailabilityTarget, true, band)),
            new(KpiFormat.Percent(k.Effectiveness), KpiFormat.Light(k.Effectiveness, o.EffectivenessTarget, true, band)),
            new(KpiFormat.Percent(k.QualityRatio), KpiFormat.Light(k.QualityRatio, o.QualityTarget, true, band)),
            new(KpiFormat.Percent(k.Oee), KpiFormat.Light(k.Oee, o.OeeTarget, true, band)),
            new(KpiFormat.Percent(k.ScrapRatio, 2), KpiFormat.Light(k.ScrapRatio, o.ScrapRatioTarget, false, band)),
            new(KpiFormat.Minutes(k.Mtbf), KpiFormat.Light(k.Mtbf, o.MtbfTargetMinutes, true, band)),
            new(KpiFormat.Minutes(k.Mttr), KpiFormat.Light(k.Mttr, o.MttrTargetMinutes, false, band)),
            new(u.HasData ? KpiFormat.Count(u.Failures) : KpiFormat.Missing),
            new(u.HasData ? KpiFormat.Minutes(u.PlannedMinutes) : KpiFormat.Missing),
            new(u.HasData ? KpiFormat.Minutes(u.RunMinutes) : KpiFormat.Missing),
            new(KpiFormat.Number(u.Produced)),
            new(KpiFormat.Number(u.Good)),
        ];
    }

    internal static KpiTile Ratio(string id, string name, double? value, double? previous, double target, bool higherIsBetter, double band, string? href) =>
        new(id, name, KpiFormat.Percent(value), (higherIsBetter ? "≥ " : "≤ ") + KpiFormat.Percent(target), KpiFormat.Percent(previous),
            KpiFormat.Signed(PeriodComparison.RelativeChange(value, previous)), KpiFormat.Light(value, target, higherIsBetter, band), href);

    private static KpiTile Minutes(string id, string name, double? value, double? previous, double target, bool higherIsBetter, double band, string? href) =>
        new(id, name, KpiFormat.Minutes(value), (higherIsBetter ? "≥ " : "≤ ") + KpiFormat.Minutes(target), KpiFormat.Minutes(previous),
            KpiFormat.Signed(PeriodComparison.RelativeChange(value, previous)), KpiFormat.Light(value, target, higherIsBetter, band), href);
}
