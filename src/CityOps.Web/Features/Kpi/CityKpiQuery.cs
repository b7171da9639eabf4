using CityOps.Analytics;
using CityOps.Analytics.Kpi;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Kpi;

/// <summary>Air quality of one district: the worst daily US EPA AQI of the period and the worst daily European band.</summary>
public sealed record DistrictAir(string Key, string Name, int? WorstAqi, Pollutant? Dominant, string? AqiTable, EuropeanAqiBand? WorstEuropeanBand,
    IReadOnlyList<int?> HourlyAqi);

/// <summary>Congestion of one intersection (corridor) or district; null when no speed was reported.</summary>
public sealed record CongestionFigure(string Key, string Name, string? DistrictKey, double? Level, double? MeanSpeedKmh);

/// <summary>
/// Water balance of one zone. Volumes in m³; flows in m³/h. <paramref name="Balance"/> covers only the hours with both
/// inflow and billed consumption (null without billing data); <paramref name="InflowVolume"/> and
/// <paramref name="BilledVolume"/> are the period's totals. Minimum night flow: the mean over the nights of each
/// night's minimum (<paramref name="MinimumNightFlow"/>) and the highest of them (<paramref name="HighestNightFlow"/>).
/// </summary>
public sealed record WaterZoneFigure(string Key, string Name, string? DistrictName, double? InflowVolume, double? BilledVolume,
    WaterBalanceResult? Balance, double? MinimumNightFlow, double? HighestNightFlow, int Nights)
{
    public double? NonRevenueWater => Balance?.NonRevenueWaterRatio;
}

/// <summary>Energy of one meter (district substation or plant incomer) against the same period a week earlier, kWh.</summary>
public sealed record EnergyFigure(string Key, string Name, string Site, string? DistrictName, double? Kwh, double? WeekEarlierKwh, double? Change);

public sealed record CityKpiReport(
    KpiPeriod Period, string SiteKey, string SiteName,
    IReadOnlyList<DistrictAir> Air, int? CityWorstAqi,
    IReadOnlyList<CongestionFigure> Intersections, IReadOnlyList<CongestionFigure> Districts, double? CityCongestion,
    IReadOnlyList<double?> CongestionByHour, int? PeakHour,
    IReadOnlyList<WaterZoneFigure> Water, double? CityNonRevenueWater, double? CityNightFlow,
    IReadOnlyList<EnergyFigure> Energy, double? TotalKwh, double? TotalWeekEarlierKwh, double? TotalChange);

/// <summary>
/// Computes the city KPIs from hourly rollups: air quality (EPA AQI with the table in force each day, European AQI),
/// congestion from spot speeds, the water balance of each zone and energy use against last week.
/// </summary>
public sealed class CityKpiQuery
{
    private static readonly Pollutant[] Pollutants = [Pollutant.Pm25, Pollutant.Pm10, Pollutant.No2, Pollutant.O3];
    private readonly KpiRegistry _registry;
    private readonly RollupReader _rollups;
    private readonly IOptionsMonitor<KpiOptions> _options;

    internal CityKpiQuery(KpiRegistry registry, RollupReader rollups, IOptionsMonitor<KpiOptions> options)
    {
        _registry = registry;
        _rollups = rollups;
        _options = options;
    }

    public async Task<CityKpiReport?> ComputeAsync(string? siteKey, Func<TimeZoneInfo, KpiPeriod> period, CancellationToken ct)
    {
        var site = await _registry.LoadAsync(siteKey, SiteKind.City, ct);
        if (site is null)
            return null;
        var p = period(site.Zone);
        var plant = await _registry.LoadAsync(null, SiteKind.Plant, ct);
        return await ComputeAsync(site, plant, p, ct);
    }

    internal async Task<CityKpiReport> ComputeAsync(KpiSite site, KpiSite? plant, KpiPeriod period, CancellationToken ct)
    {
        var options = _options.CurrentValue;
        var districts = site.OfType(AssetType.District).ToList();
        var districtOf = new Dictionary<int, KpiAsset>();
        foreach (var d in districts)
        {
            foreach (var child in site.ChildrenOf(d))
                districtOf[child.Id] = d;
        }
        var sensors = site.Assets.SelectMany(a => a.Sensors.Select(s => (Asset: a, Sensor: s))).ToList();
        // The plant counts once, by its incomer: its lines' feeder meters are inside it.
        var plantLines = plant?.OfType(AssetType.Line).Select(l => l.Id).ToHashSet() ?? [];
        var meterSensors = sensors.Concat(plant?.Assets.SelectMany(a => a.Sensors.Select(s => (Asset: a, Sensor: s))) ?? [])
            .Where(x => x.Asset.Type == AssetType.EnergyMeter && x.Sensor.Metric == MetricKind.Energy
                && !(x.Asset.ParentId is { } parent && plantLines.Contains(parent))).ToList();
        var bySensor = sensors.ToDictionary(x => x.Sensor.Id);
        var rows = await _rollups.HourlyAsync(bySensor.Keys.Where(id => Relevant(bySensor[id], options)).ToList(), period.From, period.To, ct);
        var weekEarlier = period.WeekEarlier();
        var meterIds = meterSensors.Select(x => x.Sensor.Id).ToList();
        var plantRows = plant is null ? [] : await _rollups.HourlyAsync(meterSensors.Where(x => !bySensor.ContainsKey(x.Sensor.Id)).Select(x => x.Sensor.Id).ToList(), period.From, period.To, ct);
        var earlierRows = await _rollups.HourlyAsync(meterIds, weekEarlier.From, weekEarlier.To, ct);
        var byId = rows.GroupBy(r => r.SensorId).ToDictionary(g => g.Key, g => g.ToList());
        var speedIds = sensors.Where(x => x.Asset.Type == AssetType.Intersection && x.Sensor.Metric == MetricKind.TrafficSpeed).Select(x => x.Sensor.Id).ToList();
        var lookbackFrom = period.To - options.FreeFlowLookback;
        var freeFlow = lookbackFrom < period.From
            ? (await _rollups.HourlyAsync(speedIds, lookbackFrom, period.From, ct)).Concat(speedIds.SelectMany(id => byId.GetValueOrDefault(id) ?? []))
                .GroupBy(r => r.SensorId).ToDictionary(g => g.Key, g => g.Max(r => r.Mean))
            : speedIds.Where(byId.ContainsKey).ToDictionary(id => id, id => byId[id].Where(r => r.Bucket >= lookbackFrom).Select(r => r.Mean).DefaultIfEmpty().Max());

        var air = Air(site, districts, districtOf, byId, period);
        var (intersections, districtCongestion, city, profile) = Traffic(site, districts, districtOf, byId, freeFlow, period, options);
        var water = CityWater.Zones(site, districtOf, byId, period, options);
        var energy = Energy(meterSensors, rows.Concat(plantRows).ToList(), earlierRows, plant, districtOf);

        // The city's balance adds the zones' balanced hours, so a zone without billing data does not count as lost water.
        var balances = water.Select(w => w.Balance).OfType<WaterBalanceResult>().ToList();
        var cityNrw = balances.Count == 0 ? null : WaterBalance.NonRevenueWaterRatio(balances.Sum(b => b.SystemInputVolume), balances.Sum(b => b.BilledConsumption));
        var cityNight = EnergyPerformance.Total(water.Select(w => w.MinimumNightFlow));
        var total = EnergyPerformance.Total(energy.Select(e => e.Kwh));
        var totalEarlier = EnergyPerformance.Total(energy.Select(e => e.WeekEarlierKwh));
        int? peakHour = profile.Any(v => v is not null) ? profile.Select((v, h) => (v, h)).Where(x => x.v is not null).MaxBy(x => x.v)!.h : null;
        return new CityKpiReport(period, site.Key, site.Name, air, air.Max(a => a.WorstAqi), intersections, districtCongestion, city, profile, peakHour,
            water, cityNrw, cityNight, energy, total, totalEarlier, EnergyPerformance.ChangeAgainstBaseline(total, totalEarlier));
    }

    private static bool Relevant((KpiAsset Asset, KpiSensor Sensor) x, KpiOptions options) => x.Asset.Type switch
    {
        AssetType.AirQualityStation => x.Sensor.Metric is MetricKind.Pm25 or MetricKind.Pm10 or MetricKind.No2 or MetricKind.O3,
        AssetType.Intersection => x.Sensor.Metric == MetricKind.TrafficSpeed,
        AssetType.WaterZone => x.Sensor.Metric == MetricKind.Flow || CityWater.IsBilled(x.Sensor, options),
        AssetType.EnergyMeter => x.Sensor.Metric == MetricKind.Energy,
        _ => false,
    };

    private static List<DistrictAir> Air(KpiSite site, List<KpiAsset> districts, Dictionary<int, KpiAsset> districtOf,
        Dictionary<int, List<RollupRow>> byId, KpiPeriod period)
    {
        var result = new List<DistrictAir>();
        foreach (var d in districts)
        {
            // Hourly mean concentration of each pollutant over the district's stations (µg/m³).
            var hourly = Pollutants.ToDictionary(p => p, _ => new Dictionary<DateTime, (double Sum, long Count)>());
            foreach (var station in site.ChildrenOf(d).Where(a => a.Type == AssetType.AirQualityStation))
            {
                foreach (var s in station.Sensors)
                {
                    if (PollutantOf(s.Metric) is not { } p || !byId.TryGetValue(s.Id, out var rs))
                        continue;
                    foreach (var r in rs)
                    {
                        var cell = hourly[p].GetValueOrDefault(r.Bucket);
                        hourly[p][r.Bucket] = (cell.Sum + r.Sum, cell.Count + r.Count);
                    }
                }
            }
            int? worst = null;
            Pollutant? dominant = null;
            string? table = null;
            EuropeanAqiBand? worstBand = null;
            // Each hour's local time once: the conversions, not the sums, are what a month of hours costs.
            var local = hourly.Values.SelectMany(h => h.Keys).Distinct().ToDictionary(h => h, h => TimeZoneInfo.ConvertTimeFromUtc(h, period.Zone));
            var series = Pollutants.ToDictionary(p => p, p => hourly[p].OrderBy(kv => kv.Key)
                .Select(kv => (Local: local[kv.Key], Mean: kv.Value.Sum / kv.Value.Count, kv.Value.Sum, kv.Value.Count)).ToList());
            // Daily AQI as the EPA reports it: PM 24-hour means, NO2 the highest hourly mean, O3 the highest 8-hour mean.
            foreach (var day in local.Values.Select(DateOnly.FromDateTime).Distinct().Order())
            {
                var ug = Pollutants.Select(p =>
                {
                    var hours = series[p].Where(x => DateOnly.FromDateTime(x.Local) == day).Select(x => x.Mean).ToList();
                    return (p, Value: hours.Count == 0 ? (double?)null : p switch
                    {
                        Pollutant.Pm25 or Pollutant.Pm10 => hours.Average(),
                        Pollutant.No2 => hours.Max(),
                        _ => Running8(hours),
                    });
                }).ToList();
                var aqiTable = AqiTable.For(day);
                var overall = aqiTable.Overall(ug.Select(x => (x.p, ToEpaUnit(x.p, x.Value))));
                if (overall is { } o && (worst is null || o.Value.Index > worst))
                {
                    worst = o.Value.Index;
                    dominant = o.Dominant;
                    table = aqiTable.Version;
                }
                var band = EuropeanAqi.Overall(ug.Select(x => (x.p, x.Value)));
                if (band is { } b && (worstBand is null || b > worstBand))
                    worstBand = b;
            }
            // Heat map: the indicative AQI of each local hour of day, from that hour's mean concentrations over the period.
            var heatTable = AqiTable.For(DateOnly.FromDateTime(period.LocalTo.AddTicks(-1)));
            var byHour = new int?[24];
            for (var h = 0; h < 24; h++)
            {
                var conc = Pollutants.Select(p =>
                {
                    double sum = 0;
                    long count = 0;
                    foreach (var x in series[p])
                    {
                        if (x.Local.Hour == h)
                        {
                            sum += x.Sum;
                            count += x.Count;
                        }
                    }
                    return (p, ToEpaUnit(p, count == 0 ? null : sum / count));
                }).ToList();
                byHour[h] = heatTable.Overall(conc)?.Value.Index;
            }
            result.Add(new DistrictAir(d.Key, d.Name, worst, dominant, table, worstBand, byHour));
        }
        return result;
    }

    private static double Running8(List<double> hours)
    {
        if (hours.Count <= 8)
            return hours.Average();
        var best = double.MinValue;
        for (var i = 0; i + 8 <= hours.Count; i++)
            best = Math.Max(best, hours.Skip(i).Take(8).Average());
        return best;
    }

    private static Pollutant? PollutantOf(MetricKind metric) => metric switch
    {
        MetricKind.Pm25 => Pollutant.Pm25,
        MetricKind.Pm10 => Pollutant.Pm10,
        MetricKind.No2 => Pollutant.No2,
        MetricKind.O3 => Pollutant.O3,
        _ => null,
    };

    /// <summary>The demo's stations report µg/m³; the EPA table takes NO2 in ppb and O3 in ppm.</summary>
    private static double? ToEpaUnit(Pollutant p, double? microgramsPerCubicMetre) => microgramsPerCubicMetre is not { } c ? null : p switch
    {
        Pollutant.No2 => AqiTable.MicrogramsToPpb(Pollutant.No2, c),
        Pollutant.O3 => AqiTable.MicrogramsToPpb(Pollutant.O3, c) / 1000,
        _ => c,
    };

    private static (List<CongestionFigure>, List<CongestionFigure>, double?, double?[]) Traffic(KpiSite site, List<KpiAsset> districts,
        Dictionary<int, KpiAsset> districtOf, Dictionary<int, List<RollupRow>> byId, Dictionary<int, double> freeFlow, KpiPeriod period, KpiOptions options)
    {
        // Travel time over a corridor of unit length is 1 / speed; an hour's mean spot speed stands for the hour.
        var intersections = new List<CongestionFigure>();
        var perDistrict = districts.ToDictionary(d => d.Id, _ => new List<(double?, double)>());
        var all = new List<(double?, double)>();
        var hourly = Enumerable.Range(0, 24).Select(_ => new List<(double?, double)>()).ToArray();
        foreach (var x in site.OfType(AssetType.Intersection))
        {
            var speed = x.Sensors.FirstOrDefault(s => s.Metric == MetricKind.TrafficSpeed);
            var freeSpeed = options.FreeFlowSpeed(x.Key) ?? (speed is not null ? freeFlow.GetValueOrDefault(speed.Id) : 0);
            // Without a free-flow speed the corridor's level is unknown; an infinite free-flow time leaves it out of the sums.
            var free = freeSpeed > 0 ? 1 / freeSpeed : 0;
            var rows = speed is not null && byId.TryGetValue(speed.Id, out var rs) ? rs.Where(r => r.Mean > 0).ToList() : [];
            double? travel = rows.Count == 0 ? null : rows.Average(r => 1 / r.Mean);
            var district = districtOf.GetValueOrDefault(x.Id);
            intersections.Add(new CongestionFigure(x.Key, x.Name, district?.Key, travel is { } t ? Congestion.Level(t, free) : null, travel is { } tt ? 1 / tt : null));
            if (district is not null)
                perDistrict[district.Id].Add((travel, free));
            all.Add((travel, free));
            foreach (var g in rows.GroupBy(r => TimeZoneInfo.ConvertTimeFromUtc(r.Bucket, period.Zone).Hour))
                hourly[g.Key].Add((g.Average(r => 1 / r.Mean), free));
        }
        var districtFigures = districts.Select(d =>
        {
            var level = Congestion.Combined(perDistrict[d.Id]);
            return new CongestionFigure(d.Key, d.Name, null, level, null);
        }).ToList();
        return (intersections, districtFigures, Congestion.Combined(all), hourly.Select(h => Congestion.Combined(h)).ToArray());
    }

    private static List<EnergyFigure> Energy(List<(KpiAsset Asset, KpiSensor Sensor)> meters, List<RollupRow> rows, List<RollupRow> earlier, KpiSite? plant,
        Dictionary<int, KpiAsset> districtOf)
    {
        var now = rows.GroupBy(r => r.SensorId).ToDictionary(g => g.Key, g => g.Sum(r => r.Sum));
        var before = earlier.GroupBy(r => r.SensorId).ToDictionary(g => g.Key, g => g.Sum(r => r.Sum));
        return meters.Select(m =>
        {
            double? kwh = now.TryGetValue(m.Sensor.Id, out var a) ? a : null;
            double? prev = before.TryGetValue(m.Sensor.Id, out var b) ? b : null;
            var siteName = plant is not null && plant.Assets.Any(x => x.Id == m.Asset.Id) ? plant.Name : "City";
            return new EnergyFigure(m.Asset.Key, m.Asset.Name, siteName, districtOf.GetValueOrDefault(m.Asset.Id)?.Name, kwh, prev,
                EnergyPerformance.ChangeAgainstBaseline(kwh, prev));
        }).ToList();
    }
}
