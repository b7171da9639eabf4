using CityOps.Analytics;
using CityOps.Analytics.Kpi;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Kpi;

/// <summary>The ISO 22400-2 figures of one work unit (machine, line or plant) over a period. Times in minutes.</summary>
/// <param name="HasData">The unit reported its state in the period; without it every KPI is missing.</param>
public sealed record WorkUnitKpis(
    string Key, string Name, AssetType Type, string? ParentKey, bool HasData,
    double PlannedMinutes, double RunMinutes, double BreakdownMinutes, double MinorStopMinutes,
    double? Produced, double? Good, int Failures, OeeResult Kpis);

/// <summary>Lost planned time of one cause on one line, with its cumulative share for the Pareto chart.</summary>
public sealed record DowntimeSlice(string Cause, string AssetKey, string AssetName, double Minutes, double CumulativeShare);

/// <summary>A value at one step of a trend; null when there was nothing to compute it from.</summary>
public sealed record TrendPoint(DateTime LocalStart, double? Value);

/// <summary>
/// Energy of one line from its feeder meter against the same period a week earlier, and per good part leaving the
/// line's last machine. Null figures are missing (no meter, or no readings), never 0.
/// </summary>
public sealed record LineEnergyFigure(string LineKey, string LineName, string? MeterKey, double? Kwh, double? WeekEarlierKwh, double? Change,
    double? OutputGood, double? KwhPerGoodUnit);

/// <param name="EnergyKwh">The site incomer(s): the whole plant, halls included.</param>
public sealed record PlantKpiReport(
    KpiPeriod Period, string SiteKey, string SiteName,
    WorkUnitKpis Plant, IReadOnlyList<WorkUnitKpis> Lines, IReadOnlyList<WorkUnitKpis> Machines,
    IReadOnlyList<DowntimeSlice> Pareto, IReadOnlyList<TrendPoint> OeeTrend,
    double? EnergyKwh, double? OutputGood, double? EnergyPerGoodUnit,
    double? WeekEarlierKwh, double? EnergyChange, IReadOnlyList<LineEnergyFigure> LineEnergy);

/// <summary>
/// Computes the plant KPIs from the hourly rollups of the machines' state, good and scrap counters and the plant's
/// energy meters: the site incomer and each line's feeder meter, the latter also for the same period a week earlier
/// (the mapping of the demo's signals is in README.md). Failures are counted from the 1-minute rollups
/// of the few hours that had a stop.
/// </summary>
public sealed class PlantKpiQuery
{
    private readonly KpiRegistry _registry;
    private readonly RollupReader _rollups;
    private readonly IOptionsMonitor<KpiOptions> _options;

    internal PlantKpiQuery(KpiRegistry registry, RollupReader rollups, IOptionsMonitor<KpiOptions> options)
    {
        _registry = registry;
        _rollups = rollups;
        _options = options;
    }

    /// <summary>The report of the plant <paramref name="siteKey"/> (or the first plant); null when there is no plant.</summary>
    public async Task<PlantKpiReport?> ComputeAsync(string? siteKey, Func<TimeZoneInfo, KpiPeriod> period, CancellationToken ct)
    {
        var site = await _registry.LoadAsync(siteKey, SiteKind.Plant, ct);
        return site is null ? null : await ComputeAsync(site, period(site.Zone), ct);
    }

    internal async Task<PlantKpiReport> ComputeAsync(KpiSite site, KpiPeriod period, CancellationToken ct)
    {
        var options = _options.CurrentValue;
        var calendar = new ShiftCalendar(options.Shifts);
        var machines = site.OfType(AssetType.Machine).ToList();
        var lines = site.OfType(AssetType.Line).ToList();
        var lineIds = lines.Select(l => l.Id).ToHashSet();
        // A meter under a line measures that line's feeder; the others (the incomer) measure the site. Summing both would count the lines twice.
        var lineMeters = new Dictionary<int, KpiAsset>();
        var meters = new List<KpiSensor>();
        foreach (var a in site.OfType(AssetType.EnergyMeter))
        {
            foreach (var s in a.Sensors.Where(s => s.Metric == MetricKind.Energy))
            {
                if (a.ParentId is { } parent && lineIds.Contains(parent))
                    lineMeters[s.Id] = a;
                else
                    meters.Add(s);
            }
        }
        var meterIds = meters.Select(s => s.Id).ToHashSet();
        var stateIds = new Dictionary<int, KpiAsset>();
        var goodIds = new Dictionary<int, KpiAsset>();
        var scrapIds = new Dictionary<int, KpiAsset>();
        foreach (var m in machines)
        {
            foreach (var s in m.Sensors)
            {
                var map = s.Metric switch { MetricKind.MachineState => stateIds, MetricKind.GoodParts => goodIds, MetricKind.ScrapParts => scrapIds, _ => null };
                map?.Add(s.Id, m);
            }
        }
        var ids = stateIds.Keys.Concat(goodIds.Keys).Concat(scrapIds.Keys).Concat(meterIds).Concat(lineMeters.Keys).ToList();
        var rows = await _rollups.HourlyAsync(ids, period.From, period.To, ct);
        var weekEarlier = period.WeekEarlier();
        var earlierRows = await _rollups.HourlyAsync(meterIds.Concat(lineMeters.Keys).ToList(), weekEarlier.From, weekEarlier.To, ct);

        // Planned busy minutes per UTC hour of the period, from the shift calendar.
        var planned = new Dictionary<DateTime, int>();
        for (var h = period.From; h < period.To; h = h.AddHours(1))
            planned[h] = calendar.PlannedMinutes(h, period.Zone);

        var perMachine = machines.ToDictionary(m => m.Id, _ => new MachineTally());
        var trendBuckets = TrendStarts(period);
        var trendPlanned = new double[trendBuckets.Count];
        var trendIdealGood = new double[trendBuckets.Count];
        var energy = (double?)null;
        var lineKwh = new Dictionary<int, double>();
        var downHours = new List<(int, DateTime)>();
        foreach (var r in rows)
        {
            if (stateIds.TryGetValue(r.SensorId, out var machine))
            {
                var t = perMachine[machine.Id];
                // State codes 0, 1, 2: count = n0+n1+n2, sum = n1+2·n2, sum of squares = n1+4·n2, so the hour's
                // share of samples in each state follows exactly from its rollup row.
                var running = (r.SumSq - r.Sum) / 2;
                var idle = r.Sum - 2 * running;
                var down = r.Count - idle - running;
                var plannedMinutes = planned.GetValueOrDefault(r.Bucket);
                var run = Math.Min(plannedMinutes, 60 * running / r.Count);
                var breakdown = Math.Min(plannedMinutes - run, 60 * down / r.Count);
                t.Planned += plannedMinutes;
                t.Run += run;
                t.Breakdown += breakdown;
                t.MinorStops += plannedMinutes - run - breakdown;
                t.PlannedByHour[r.Bucket] = plannedMinutes;
                if (r.Min == 0)
                    downHours.Add((r.SensorId, r.Bucket));
            }
            else if (goodIds.TryGetValue(r.SensorId, out machine))
            {
                var t = perMachine[machine.Id];
                t.Good = (t.Good ?? 0) + r.Sum;
                t.GoodByHour[r.Bucket] = r.Sum;
            }
            else if (scrapIds.TryGetValue(r.SensorId, out machine))
            {
                var t = perMachine[machine.Id];
                t.Scrap = (t.Scrap ?? 0) + r.Sum;
            }
            else if (meterIds.Contains(r.SensorId))
            {
                energy = (energy ?? 0) + r.Sum;
            }
            else if (lineMeters.ContainsKey(r.SensorId))
            {
                lineKwh[r.SensorId] = lineKwh.GetValueOrDefault(r.SensorId) + r.Sum;
            }
        }

        // A failure is a run of minutes with a down sample; a stop already under way at the period's start counts.
        var downMinutes = await _rollups.ZeroMinutesAsync(downHours, ct);
        for (var i = 0; i < downMinutes.Count; i++)
        {
            var (sensor, minute) = downMinutes[i];
            if (i == 0 || downMinutes[i - 1].SensorId != sensor || downMinutes[i - 1].Minute != minute.AddMinutes(-1))
                perMachine[stateIds[sensor].Id].Failures++;
        }

        var lineById = lines.ToDictionary(l => l.Id);
        var machineKpis = new List<WorkUnitKpis>();
        var aggregates = lines.ToDictionary(l => l.Id, _ => new Aggregate());
        var plant = new Aggregate();
        foreach (var m in machines)
        {
            var t = perMachine[m.Id];
            var line = m.ParentId is { } p && lineById.TryGetValue(p, out var l) ? l : null;
            var pri = 1 / options.IdealRate(line?.Key ?? "");
            machineKpis.Add(Unit(m, line?.Key, t, pri));
            foreach (var agg in line is null ? [plant] : new[] { aggregates[line.Id], plant })
                agg.Add(t, pri);
            foreach (var (hour, good) in t.GoodByHour)
            {
                var k = TrendIndex(trendBuckets, period, hour);
                trendIdealGood[k] += good * pri;
            }
            foreach (var (hour, minutes) in t.PlannedByHour)
                trendPlanned[TrendIndex(trendBuckets, period, hour)] += minutes;
        }

        var lineKpis = lines.Select(l => aggregates[l.Id].ToKpis(l.Key, l.Name, AssetType.Line, null)).ToList();
        var plantKpis = plant.ToKpis(site.Key, site.Name, AssetType.Plant, null);

        // The plant's output is what leaves the last machine of each line.
        double? output = null;
        var lineOutput = new Dictionary<int, double?>();
        foreach (var l in lines)
        {
            var last = machines.LastOrDefault(m => m.ParentId == l.Id);
            lineOutput[l.Id] = last is null ? null : perMachine[last.Id].Good;
            if (lineOutput[l.Id] is { } g)
                output = (output ?? 0) + g;
        }
        var energyPerUnit = EnergyPerformance.PerGoodUnit(energy, output);
        var before = earlierRows.GroupBy(r => r.SensorId).ToDictionary(g => g.Key, g => g.Sum(r => r.Sum));
        var weekEarlierKwh = EnergyPerformance.Total(meterIds.Select(id => before.TryGetValue(id, out var kwh) ? kwh : (double?)null));
        var lineEnergy = LineEnergy(lines, lineMeters, lineKwh, before, lineOutput);

        var pareto = new List<(string Cause, KpiAsset Line, double Minutes)>();
        foreach (var l in lines)
        {
            var a = aggregates[l.Id];
            pareto.Add(("Breakdown (line stopped)", l, a.Breakdown));
            pareto.Add(("Minor stops (idle in shift)", l, a.MinorStops));
        }
        var lost = pareto.Sum(p => p.Minutes);
        var cumulative = 0.0;
        var slices = pareto.Where(p => p.Minutes > 0).OrderByDescending(p => p.Minutes).Select(p =>
        {
            cumulative += p.Minutes;
            return new DowntimeSlice(p.Cause, p.Line.Key, p.Line.Name, p.Minutes, cumulative / lost);
        }).ToList();

        var trend = trendBuckets.Select((start, i) => new TrendPoint(start, trendPlanned[i] > 0 ? trendIdealGood[i] / trendPlanned[i] : null)).ToList();
        return new PlantKpiReport(period, site.Key, site.Name, plantKpis, lineKpis, machineKpis, slices, trend, energy, output, energyPerUnit,
            weekEarlierKwh, EnergyPerformance.ChangeAgainstBaseline(energy, weekEarlierKwh), lineEnergy);
    }

    /// <summary>Each line's meters (by energy sensor id) summed, this period and a week earlier.</summary>
    private static List<LineEnergyFigure> LineEnergy(List<KpiAsset> lines, Dictionary<int, KpiAsset> lineMeters, Dictionary<int, double> kwhBySensor,
        Dictionary<int, double> before, Dictionary<int, double?> output)
    {
        var result = new List<LineEnergyFigure>();
        foreach (var l in lines)
        {
            var meterSensors = lineMeters.Where(m => m.Value.ParentId == l.Id).ToList();
            var meter = meterSensors.Select(m => m.Value).FirstOrDefault();
            var kwh = EnergyPerformance.Total(meterSensors.Select(m => kwhBySensor.TryGetValue(m.Key, out var v) ? v : (double?)null));
            var earlier = EnergyPerformance.Total(meterSensors.Select(m => before.TryGetValue(m.Key, out var v) ? v : (double?)null));
            var good = output.GetValueOrDefault(l.Id);
            result.Add(new LineEnergyFigure(l.Key, l.Name, meter?.Key, kwh, earlier, EnergyPerformance.ChangeAgainstBaseline(kwh, earlier), good,
                EnergyPerformance.PerGoodUnit(kwh, good)));
        }
        return result;
    }

    private static WorkUnitKpis Unit(KpiAsset m, string? parent, MachineTally t, double pri)
    {
        var hasData = t.PlannedByHour.Count > 0;
        double? produced = t.Good is null && t.Scrap is null ? null : (t.Good ?? 0) + (t.Scrap ?? 0);
        var kpis = hasData ? Oee.Compute(new OeeInputs(t.Planned, t.Run, pri, produced ?? 0, t.Good ?? 0, t.Failures, t.Breakdown))
            : new OeeResult(null, null, null, null, null, null, null, null);
        if (hasData && produced is null)
        {
            // No counter data: output figures are unknown, not zero.
            kpis = kpis with { Effectiveness = null, QualityRatio = null, Oee = null, ScrapRatio = null };
        }
        return new WorkUnitKpis(m.Key, m.Name, m.Type, parent, hasData, t.Planned, t.Run, t.Breakdown, t.MinorStops, produced, t.Good, t.Failures, kpis);
    }

    /// <summary>Trend steps: hours for a period of up to two days, local days beyond.</summary>
    private static List<DateTime> TrendStarts(KpiPeriod period)
    {
        var starts = new List<DateTime>();
        if (period.Length <= TimeSpan.FromDays(2))
        {
            for (var h = period.LocalFrom; h < period.LocalTo; h = h.AddHours(1))
                starts.Add(h);
        }
        else
        {
            for (var d = period.LocalFrom.Date; d < period.LocalTo; d = d.AddDays(1))
                starts.Add(d);
        }
        return starts;
    }

    private static int TrendIndex(List<DateTime> starts, KpiPeriod period, DateTime utcHour)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utcHour, period.Zone);
        var i = starts.BinarySearch(local);
        return Math.Clamp(i >= 0 ? i : ~i - 1, 0, starts.Count - 1);
    }

    private sealed class MachineTally
    {
        public double Planned, Run, Breakdown, MinorStops;
        public double? Good, Scrap;
        public int Failures;
        public Dictionary<DateTime, int> PlannedByHour { get; } = [];
        public Dictionary<DateTime, double> GoodByHour { get; } = [];
    }

    /// <summary>
    /// A line or the plant: the sum of its machines' times and counts. Quantities are weighted by each machine's
    /// planned run time per unit (counted in ideal minutes), so machines of different speeds add up.
    /// </summary>
    private sealed class Aggregate
    {
        public double Planned, Run, Breakdown, MinorStops, IdealProduced, IdealGood;
        public double? Produced, Good;
        public int Failures;
        private bool _hasData, _hasCounts;

        public void Add(MachineTally t, double pri)
        {
            if (t.PlannedByHour.Count == 0)
                return;
            _hasData = true;
            Planned += t.Planned;
            Run += t.Run;
            Breakdown += t.Breakdown;
            MinorStops += t.MinorStops;
            Failures += t.Failures;
            if (t.Good is not null || t.Scrap is not null)
            {
                _hasCounts = true;
                var produced = (t.Good ?? 0) + (t.Scrap ?? 0);
                Produced = (Produced ?? 0) + produced;
                Good = (Good ?? 0) + (t.Good ?? 0);
                IdealProduced += produced * pri;
                IdealGood += (t.Good ?? 0) * pri;
            }
        }

        public WorkUnitKpis ToKpis(string key, string name, AssetType type, string? parent)
        {
            var kpis = _hasData ? Oee.Compute(new OeeInputs(Planned, Run, 1, IdealProduced, IdealGood, Failures, Breakdown))
                : new OeeResult(null, null, null, null, null, null, null, null);
            if (_hasData && !_hasCounts)
                kpis = kpis with { Effectiveness = null, QualityRatio = null, Oee = null, ScrapRatio = null };
            return new WorkUnitKpis(key, name, type, parent, _hasData, Planned, Run, Breakdown, MinorStops, Produced, Good, Failures, kpis);
        }
    }
}
