using CityOps.Analytics.Kpi;

namespace CityOps.Web.Features.Kpi;

/// <summary>The energy tiles and the plant's energy table (ISO 50006 consumption against baselines, kWh per good unit).</summary>
internal static class EnergySheet
{
    /// <summary>Consumption against the previous period; the light uses the same target as the week-on-week comparison.</summary>
    public static KpiTile AgainstPrevious(string id, string name, double? kwh, double? previousKwh, KpiOptions o)
    {
        var change = EnergyPerformance.ChangeAgainstBaseline(kwh, previousKwh);
        return new(id, name, KpiFormat.Number(kwh, 0, "kWh"), "change ≤ " + KpiFormat.Signed(o.EnergyChangeTarget), KpiFormat.Number(previousKwh, 0, "kWh"),
            KpiFormat.Signed(change), KpiFormat.Light(change, o.EnergyChangeTarget, false, o.AmberBand), "#energy");
    }

    /// <summary>Against the same period a week earlier: the value, the week-earlier value in the "previous" place, and the change.</summary>
    public static KpiTile AgainstLastWeek(string id, string name, double? kwh, double? weekEarlierKwh, double? change, KpiOptions o) =>
        new(id, name, KpiFormat.Number(kwh, 0, "kWh"), "change ≤ " + KpiFormat.Signed(o.EnergyChangeTarget), KpiFormat.Number(weekEarlierKwh, 0, "kWh"),
            KpiFormat.Signed(change), KpiFormat.Light(change, o.EnergyChangeTarget, false, o.AmberBand), "#energy");

    /// <summary>The plant's incomer, then each line's feeder meter: energy, previous period, same period last week, output, kWh per good unit.</summary>
    public static KpiTable PlantTable(PlantKpiReport r, PlantKpiReport? previous, KpiOptions o, string periodQuery)
    {
        var band = o.AmberBand;
        List<IReadOnlyList<KpiCell>> rows =
        [
            [
                new($"{r.SiteName} (incomer)"), new(KpiFormat.Number(r.EnergyKwh, 1, "kWh")), new(KpiFormat.Number(previous?.EnergyKwh, 1, "kWh")),
                new(KpiFormat.Number(r.WeekEarlierKwh, 1, "kWh")), new(KpiFormat.Signed(r.EnergyChange), KpiFormat.Light(r.EnergyChange, o.EnergyChangeTarget, false, band)),
                new(KpiFormat.Number(r.OutputGood, 0, "parts")),
                new(KpiFormat.Number(r.EnergyPerGoodUnit, 3, "kWh"), KpiFormat.Light(r.EnergyPerGoodUnit, o.EnergyPerGoodUnitTargetKwh, false, band)),
            ],
        ];
        foreach (var l in r.LineEnergy)
        {
            var before = previous?.LineEnergy.FirstOrDefault(p => p.LineKey == l.LineKey);
            rows.Add(
            [
                new(l.LineName, Href: $"/kpi/plant?{periodQuery}line={Uri.EscapeDataString(l.LineKey)}#machines"),
                new(KpiFormat.Number(l.Kwh, 1, "kWh")), new(KpiFormat.Number(before?.Kwh, 1, "kWh")), new(KpiFormat.Number(l.WeekEarlierKwh, 1, "kWh")),
                new(KpiFormat.Signed(l.Change), KpiFormat.Light(l.Change, o.EnergyChangeTarget, false, band)),
                new(KpiFormat.Number(l.OutputGood, 0, "parts")),
                new(KpiFormat.Number(l.KwhPerGoodUnit, 3, "kWh"), KpiFormat.Light(l.KwhPerGoodUnit, o.EnergyPerGoodUnitTargetKwh, false, band)),
            ]);
        }
        return new("energy", "Energy by line (feeder meters) and site",
            ["Meter", "Energy", "Previous period", "Same period last week", "Change vs last week", "Good output", "Energy per good unit"], rows);
    }
}
