using CityOps.Analytics;
using CityOps.Analytics.Kpi;

namespace CityOps.Web.Features.Kpi;

/// <summary>The water balance and night flow of each zone from the hourly rollups of its inflow and billed-consumption sensors.</summary>
internal static class CityWater
{
    /// <summary>The zone's billed (customer-metered) consumption: a volume per interval, found by metric or by the configured signal name.</summary>
    public static bool IsBilled(KpiSensor s, KpiOptions options) => s.Metric == MetricKind.Volume || s.Signal == options.BilledConsumptionSignal;

    public static List<WaterZoneFigure> Zones(KpiSite site, Dictionary<int, KpiAsset> districtOf, Dictionary<int, List<RollupRow>> byId,
        KpiPeriod period, KpiOptions options)
    {
        var result = new List<WaterZoneFigure>();
        foreach (var zone in site.OfType(AssetType.WaterZone))
        {
            var flow = zone.Sensors.FirstOrDefault(s => s.Metric == MetricKind.Flow && !IsBilled(s, options));
            var billedSensor = zone.Sensors.FirstOrDefault(s => IsBilled(s, options));
            var flows = flow is not null && byId.TryGetValue(flow.Id, out var f) ? f : [];
            var billedRows = billedSensor is not null && byId.TryGetValue(billedSensor.Id, out var b) ? b : [];
            // A mean flow in m³/h over an hour is that hour's volume in m³; hours without readings add nothing and are not guessed.
            double? inflow = flows.Count == 0 ? null : flows.Sum(r => r.Mean);
            double? billed = billedRows.Count == 0 ? null : billedRows.Sum(r => r.Sum);
            var billedByHour = billedRows.ToDictionary(r => r.Bucket, r => r.Sum);
            var balance = billedSensor is null ? null
                : WaterBalance.Balance(flows.Select(r => new WaterHour(r.Bucket, r.Mean, billedByHour.TryGetValue(r.Bucket, out var v) ? v : null)));
            var nights = WaterBalance.Nightly(flows.Select(r => (TimeZoneInfo.ConvertTimeFromUtc(r.Bucket, period.Zone), r.Mean)), options.NightFrom, options.NightTo);
            result.Add(new WaterZoneFigure(zone.Key, zone.Name, districtOf.GetValueOrDefault(zone.Id)?.Name, inflow, billed, balance,
                nights.Count == 0 ? null : nights.Average(n => n.Flow), nights.Count == 0 ? null : nights.Max(n => n.Flow), nights.Count));
        }
        return result;
    }
}
