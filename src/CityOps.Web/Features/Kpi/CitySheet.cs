using System.Globalization;
using CityOps.Analytics.Kpi;

namespace CityOps.Web.Features.Kpi;

/// <summary>Turns city reports into what the city KPI page shows.</summary>
public static class CitySheet
{
    public static KpiSheet Build(CityKpiReport r, CityKpiReport? previous, KpiOptions o)
    {
        var band = o.AmberBand;
        var tiles = new List<KpiTile>
        {
            new("aqi", "Worst daily AQI (US EPA)", KpiFormat.Count(r.CityWorstAqi), "≤ " + KpiFormat.Number(o.AqiTarget),
                KpiFormat.Count(previous?.CityWorstAqi), KpiFormat.Signed(PeriodComparison.RelativeChange(r.CityWorstAqi, previous?.CityWorstAqi)),
                KpiFormat.Light(r.CityWorstAqi, o.AqiTarget, false, band), "#air"),
            PlantSheet.Ratio("congestion", "Congestion level", r.CityCongestion, previous?.CityCongestion, o.CongestionTarget, false, band, "#traffic"),
            PlantSheet.Ratio("nrw", "Non-revenue water", r.CityNonRevenueWater, previous?.CityNonRevenueWater, o.NonRevenueWaterTarget, false, band, "#water"),
            new("energy", "Energy use vs same period last week", KpiFormat.Number(r.TotalKwh, 0, "kWh"), "change ≤ " + KpiFormat.Signed(o.EnergyChangeTarget),
                KpiFormat.Number(r.TotalWeekEarlierKwh, 0, "kWh"), KpiFormat.Signed(r.TotalChange),
                KpiFormat.Light(r.TotalChange, o.EnergyChangeTarget, false, band), "#energy"),
            EnergySheet.AgainstPrevious("energy-previous", "Energy use vs previous period", r.TotalKwh, previous?.TotalKwh, o),
            NightFlow(r, previous, o),
        };
        var air = r.Air.Select(a => (IReadOnlyList<KpiCell>)
        [
            new(a.Name, Href: Asset(a.Key)), new(KpiFormat.Count(a.WorstAqi), KpiFormat.Light(a.WorstAqi, o.AqiTarget, false, band)),
            new(a.WorstAqi is null ? KpiFormat.Missing : Category(a.WorstAqi.Value)), new(a.Dominant?.ToString() ?? KpiFormat.Missing),
            new(a.AqiTable ?? KpiFormat.Missing), new(a.WorstEuropeanBand?.ToString() ?? KpiFormat.Missing),
        ]).ToList();
        var heat = r.Air.Select(a => (IReadOnlyList<KpiCell>)[new(a.Name), .. a.HourlyAqi.Select(v => new KpiCell(KpiFormat.Count(v), KpiFormat.Light(v, o.AqiTarget, false, band)))]).ToList();
        var districts = r.Districts.Select(d => (IReadOnlyList<KpiCell>)
        [
            new(d.Name, Href: Asset(d.Key)), new(KpiFormat.Percent(d.Level), KpiFormat.Light(d.Level, o.CongestionTarget, false, band)),
        ]).ToList();
        var corridors = r.Intersections.Select(x => (IReadOnlyList<KpiCell>)
        [
            new(x.Name, Href: Asset(x.Key)), new(r.Districts.FirstOrDefault(d => d.Key == x.DistrictKey)?.Name ?? KpiFormat.Missing),
            new(KpiFormat.Percent(x.Level), KpiFormat.Light(x.Level, o.CongestionTarget, false, band)), new(KpiFormat.Number(x.MeanSpeedKmh, 1, "km/h")),
        ]).ToList();
        var profile = r.CongestionByHour.Select((v, h) => (IReadOnlyList<KpiCell>)
        [
            new($"{h:00}:00"), new(KpiFormat.Percent(v), KpiFormat.Light(v, o.CongestionTarget, false, band)),
        ]).ToList();
        var water = r.Water.Select(w =>
        {
            var before = previous?.Water.FirstOrDefault(p => p.Key == w.Key);
            var rise = PeriodComparison.RelativeChange(w.MinimumNightFlow, before?.MinimumNightFlow);
            return (IReadOnlyList<KpiCell>)
            [
                new(w.Name, Href: Asset(w.Key)), new(w.DistrictName ?? KpiFormat.Missing),
                new(KpiFormat.Number(w.InflowVolume, 0, "m³")), new(KpiFormat.Number(w.BilledVolume, 0, "m³")),
                new(w.Balance is { } b ? $"{b.Hours} of {b.InflowHours} h" : KpiFormat.Missing),
                new(KpiFormat.Number(w.Balance?.NonRevenueWaterVolume, 0, "m³")),
                new(KpiFormat.Percent(w.NonRevenueWater), KpiFormat.Light(w.NonRevenueWater, o.NonRevenueWaterTarget, false, band)),
                new(KpiFormat.Number(w.MinimumNightFlow, 1, "m³/h")), new(KpiFormat.Number(w.HighestNightFlow, 1, "m³/h")),
                new(KpiFormat.Number(before?.MinimumNightFlow, 1, "m³/h")),
                new(KpiFormat.Signed(rise), KpiFormat.Light(rise, o.NightFlowRiseTarget, false, band)),
            ];
        }).ToList();
        var energy = r.Energy.Select(e => (IReadOnlyList<KpiCell>)
        [
            new(e.Name, Href: Asset(e.Key)), new(e.DistrictName ?? e.Site), new(KpiFormat.Number(e.Kwh, 0, "kWh")),
            new(KpiFormat.Number(previous?.Energy.FirstOrDefault(p => p.Key == e.Key)?.Kwh, 0, "kWh")),
            new(KpiFormat.Number(e.WeekEarlierKwh, 0, "kWh")),
            new(KpiFormat.Signed(e.Change), KpiFormat.Light(e.Change, o.EnergyChangeTarget, false, band)),
        ]).ToList();
        return new KpiSheet($"City KPIs · {r.SiteName}", r.Period.Label, r.Period.Zone.Id, tiles,
        [
            new("air", "Air quality by district", ["District", "Worst daily AQI", "Category", "Dominant pollutant", "AQI table", "European AQI (worst day)"], air),
            new("aqi-heatmap", "Indicative AQI by district and hour of day", ["District", .. Enumerable.Range(0, 24).Select(h => $"{h:00}")], heat),
            new("traffic", "Congestion by district", ["District", "Congestion level"], districts),
            new("corridors", "Congestion by corridor", ["Intersection", "District", "Congestion level", "Mean speed"], corridors),
            new("peak-hours", $"Congestion by hour of day (peak {(r.PeakHour is { } ph ? $"{ph:00}:00" : KpiFormat.Missing)})", ["Hour", "Congestion level"], profile),
            new("water", $"Water balance by zone (IWA; night {o.NightFrom.ToString("HH:mm", CultureInfo.InvariantCulture)}–{o.NightTo.ToString("HH:mm", CultureInfo.InvariantCulture)} local)",
                ["Zone", "District", "Inflow", "Billed consumption", "Balanced hours", "Non-revenue water volume", "Non-revenue water",
                 "Minimum night flow (mean of nights)", "Highest night", "Previous period night flow", "Night flow change"], water),
            new("energy", "Energy by district and site", ["Meter", "District / site", "Energy", "Previous period", "Same period last week", "Change vs last week"], energy),
        ]);
    }

    /// <summary>The zones' night flows added up; the change compares only zones with a night flow in both periods, so a
    /// zone that fell silent (or came online) does not pass for a leak or a repair.</summary>
    private static KpiTile NightFlow(CityKpiReport r, CityKpiReport? previous, KpiOptions o)
    {
        double now = 0, before = 0;
        foreach (var w in r.Water)
        {
            if (w.MinimumNightFlow is { } a && previous?.Water.FirstOrDefault(p => p.Key == w.Key)?.MinimumNightFlow is { } b)
            {
                now += a;
                before += b;
            }
        }
        var rise = PeriodComparison.RelativeChange(before > 0 ? now : null, before > 0 ? before : null);
        return new("night-flow", "Minimum night flow (all zones)", KpiFormat.Number(r.CityNightFlow, 1, "m³/h"), "rise ≤ " + KpiFormat.Signed(o.NightFlowRiseTarget),
            KpiFormat.Number(previous?.CityNightFlow, 1, "m³/h"), KpiFormat.Signed(rise), KpiFormat.Light(rise, o.NightFlowRiseTarget, false, o.AmberBand), "#water");
    }

    private static string Asset(string key) => $"/assets/{Uri.EscapeDataString(key)}";

    private static string Category(int index) => AqiTable.CategoryOf(index) switch
    {
        AqiCategory.Good => "Good",
        AqiCategory.Moderate => "Moderate",
        AqiCategory.UnhealthyForSensitiveGroups => "Unhealthy for sensitive groups",
        AqiCategory.Unhealthy => "Unhealthy",
        AqiCategory.VeryUnhealthy => "Very unhealthy",
        _ => "Hazardous",
    };
}
