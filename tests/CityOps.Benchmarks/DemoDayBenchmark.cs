using System.Diagnostics;
using System.Globalization;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Simulator;
using CityOps.Simulator.World;

namespace CityOps.Benchmarks;

internal sealed record DemoDayOptions(int Seed, int WarmupDays)
{
    public static DemoDayOptions Parse(string[] args)
    {
        var o = new DemoDayOptions(1, 7);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            o = args[i] switch
            {
                "--seed" => o with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup-days" => o with { WarmupDays = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// One simulated demo day (Tuesday 24 November 2026, Europe/Amsterdam) with <see cref="FaultSchedules.DemoDay"/> injected,
/// run through the <see cref="RuleEngine"/> with <see cref="DemoRuleSet"/>: which faults are detected, by which rule and
/// how fast, and the EEMUA 191 alarm-rate figures per operator area (district or line).
/// </summary>
internal sealed class DemoDayBenchmark(DemoDayOptions options)
{
    private static readonly DateTimeOffset Day = new(2026, 11, 24, 0, 0, 0, TimeSpan.FromHours(1));
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Recovery = TimeSpan.FromMinutes(30);

    public Task<int> RunAsync()
    {
        var world = DemoWorld.Create();
        var sensors = BuildSensors(world);
        var byKey = sensors.ToDictionary(s => s.Key);
        var rules = DemoRuleSet.Create(world);
        var engine = new RuleEngine(rules, sensors);
        Console.WriteLine($"demo-day: seed {options.Seed}, day {Day:yyyy-MM-dd} (local midnight {Day:O}), {sensors.Count} sensors, {rules.Count} rules, {engine.BindingCount} bindings");
        foreach (var (rule, reason) in engine.SkippedRules)
        {
            Console.WriteLine($"  skipped {rule}: {reason}");
        }

        var twin = new Twin(world, options.Seed, Day.AddDays(-options.WarmupDays));
        var faults = twin.Schedule(FaultSchedules.DemoDay(Day, options.Seed));
        var output = new List<AlarmSignal>();
        var engineTime = new Stopwatch();
        long readings = 0;

        // Warm-up: the previous days at one reading per minute per sensor (learned models and forecasts need history),
        // then the last hour before midnight at full rate. Signals of the warm-up are discarded.
        var fullRateFrom = Day.AddHours(-1);
        foreach (var batch in twin.Backfill(twin.Now, fullRateFrom, TimeSpan.FromMinutes(1)))
        {
            engineTime.Start();
            foreach (var r in batch)
            {
                engine.OnReading(byKey[r.SensorKey].Id, r.Timestamp.UtcDateTime, r.Value, output);
            }
            engine.OnClock(batch[^1].Timestamp.UtcDateTime, output);
            engineTime.Stop();
            readings += batch.Count;
        }
        Console.WriteLine($"  warm-up: {options.WarmupDays} days before the day at 1 reading/min/sensor, then 1 h at full rate ({readings:N0} readings); warm-up alarms not counted");
        for (var t = fullRateFrom + Step; t <= Day; t += Step)
        {
            Feed(twin.AdvanceTo(t), t);
        }
        var carried = engine.ActiveConditions();
        Console.WriteLine($"  active at midnight (carried over from the warm-up, not counted): {carried.Count}{(carried.Count > 0 ? " — " + string.Join(", ", carried.Select(c => $"{c.RuleKey}@{c.SourceKey}")) : "")}");
        output.Clear();

        var areas = sensors.Select(s => s.Area).Distinct().Order().ToList();
        var signals = new List<AlarmSignal>();
        var floodSamples = 0L;
        var anyFloodSamples = 0L;
        var samples = 0L;
        var peak = (Count: 0, Area: "", At: default(DateTime));
        readings = 0;
        var dayTime = Stopwatch.StartNew();
        engineTime.Reset();
        for (var t = Day + Step; t <= Day.AddDays(1); t += Step)
        {
            Feed(twin.AdvanceTo(t), t);
            foreach (var s in output)
            {
                signals.Add(s);
                if (s.Active && engine.Floods.Status(s.Area).Count > peak.Count)
                {
                    peak = (engine.Floods.Status(s.Area).Count, s.Area, s.At);
                }
            }
            output.Clear();
            samples++;
            var flooding = areas.Count(a => engine.Floods.Status(a).Flooding);
            floodSamples += flooding;
            anyFloodSamples += flooding > 0 ? 1 : 0;
        }
        dayTime.Stop();

        Report(faults, signals, sensors, byKey, rules, areas);
        var raises = signals.Where(s => s.Active).ToList();
        Console.WriteLine();
        Console.WriteLine("EEMUA 191 (operator area = district or line; 'outside faults' excludes each fault's area from its start to 30 min after its end):");
        var outside = OutsideFaults(faults, raises, byKey, areas);
        Console.WriteLine($"  alarms per 10 min per area, outside faults: average {outside.Average:0.000} (target ≤ 1), worst area {outside.WorstArea} {outside.Worst:0.000}");
        Console.WriteLine($"  peak alarms in 10 min in one area: {peak.Count}{(peak.Count > 0 ? $" ({peak.Area}, {Local(peak.At):HH:mm})" : "")} (flood > {engine.Floods.FloodAlarms})");
        Console.WriteLine($"  time in flood: {100.0 * floodSamples / (samples * areas.Count):0.00} % of area-time; some area flooding {100.0 * anyFloodSamples / samples:0.00} % of the day");
        Console.WriteLine($"  chattering alarms: {raises.Count(s => s.Chattering)} (target 0); alarms {raises.Count}, of which outside faults {outside.Count}");
        if (outside.Count > 0)
        {
            Console.WriteLine("  alarms outside faults:");
            foreach (var s in outside.Alarms.Take(20))
            {
                Console.WriteLine($"    {Local(s.At):HH:mm:ss} {s.RuleKey} @ {s.SourceKey}: {s.Detection.Detail}");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"  the day: {readings:N0} readings; engine {engineTime.Elapsed.TotalSeconds:0.00} s ({readings / engineTime.Elapsed.TotalSeconds:N0} readings/s), twin + engine {dayTime.Elapsed.TotalSeconds:0.0} s");
        return Task.FromResult(0);

        void Feed(IReadOnlyList<SimReading> batch, DateTimeOffset now)
        {
            engineTime.Start();
            foreach (var r in batch)
            {
                engine.OnReading(byKey[r.SensorKey].Id, r.Timestamp.UtcDateTime, r.Value, output);
            }
            engine.OnClock(now.UtcDateTime, output);
            engineTime.Stop();
            readings += batch.Count;
        }
    }

    private static DateTime Local(DateTime utc) => utc + Day.Offset;

    private static List<EngineSensor> BuildSensors(WorldDefinition world)
    {
        var assets = world.Assets.ToDictionary(a => a.Key);
        var zones = world.Sites.ToDictionary(s => s.Key, s => TimeZoneInfo.FindSystemTimeZoneById(s.TimeZone));
        string AreaOf(AssetDefinition asset)
        {
            for (AssetDefinition? a = asset; a is not null; a = a.ParentKey is null ? null : assets[a.ParentKey])
            {
                if (a.Type is AssetType.District or AssetType.Line)
                {
                    return a.Key;
                }
            }
            return asset.SiteKey;
        }
        return
        [
            .. world.Sensors.Select((d, i) =>
            {
                var asset = assets[d.AssetKey];
                return new EngineSensor(i, asset.SiteKey, asset.Key, asset.Type, AreaOf(asset),
                    new SensorContext(d.Key, d.Metric, d.Unit, d.Min, d.Max, TimeSpan.FromSeconds(d.IntervalSeconds), zones[asset.SiteKey]));
            }),
        ];
    }

    private static void Report(
        IReadOnlyList<FaultRecord> faults, List<AlarmSignal> signals, List<EngineSensor> sensors, Dictionary<string, EngineSensor> byKey,
        IReadOnlyList<AlertRuleDefinition> rules, List<string> areas)
    {
        var models = rules.ToDictionary(r => r.Key, r => r.Model);
        Console.WriteLine();
        Console.WriteLine("Faults (local time; delay = first alarm on an affected sensor or asset after the onset):");
        var detected = 0;
        foreach (var f in faults)
        {
            var keys = f.SensorKeys.ToHashSet();
            var assetKeys = f.SensorKeys.Where(byKey.ContainsKey).Select(k => byKey[k].Context.Key[..k.LastIndexOf('.')]).ToHashSet();
            var hits = signals.Where(s => s.Active && s.At >= f.Start.UtcDateTime && s.At < f.End.UtcDateTime + Recovery
                && (keys.Contains(s.SourceKey) || assetKeys.Contains(s.SourceKey))).ToList();
            var head = $"  {f.Kind,-12} {f.Target,-36} {Local(f.Start.UtcDateTime):HH:mm}–{Local(f.End.UtcDateTime):HH:mm}";
            if (hits.Count == 0)
            {
                Console.WriteLine($"{head}  NOT DETECTED");
                continue;
            }
            detected++;
            var first = hits[0];
            Console.WriteLine($"{head}  detected after {Minutes(first.At - f.Start.UtcDateTime)} by {first.RuleKey} @ {first.SourceKey}: {first.Detection.Detail}");
            foreach (var forecast in hits.Where(h => models[h.RuleKey] is ForecastParameters).GroupBy(h => h.RuleKey).Select(g => g.First()))
            {
                var limitAlarm = hits.FirstOrDefault(h => h.SourceKey == forecast.SourceKey && models[h.RuleKey] is LimitParameters && h.At >= forecast.At);
                var lead = limitAlarm is null ? "the limit alarm did not follow" : $"{Minutes(limitAlarm.At - forecast.At)} before {limitAlarm.RuleKey}";
                Console.WriteLine($"{"",60}forecast {forecast.RuleKey} at {Local(forecast.At):HH:mm} (predicted crossing {(forecast.Detection.PredictedAt is { } p ? Local(p).ToString("HH:mm", CultureInfo.InvariantCulture) : "-")}): {lead}");
            }
            var others = hits.Skip(1).Select(h => h.RuleKey).Distinct().ToList();
            if (others.Count > 0)
            {
                Console.WriteLine($"{"",60}also: {string.Join(", ", others)} ({hits.Count} alarms in all)");
            }
        }
        Console.WriteLine($"  detected {detected} of {faults.Count} faults");
    }

    private static string Minutes(TimeSpan span) => span.TotalMinutes < 1 ? $"{span.TotalSeconds:0} s" : $"{span.TotalMinutes:0.0} min";

    private static (double Average, string WorstArea, double Worst, int Count, List<AlarmSignal> Alarms) OutsideFaults(
        IReadOnlyList<FaultRecord> faults, List<AlarmSignal> raises, Dictionary<string, EngineSensor> byKey, List<string> areas)
    {
        var windows = areas.ToDictionary(a => a, _ => new List<(DateTime From, DateTime To)>());
        foreach (var f in faults)
        {
            foreach (var area in f.SensorKeys.Where(byKey.ContainsKey).Select(k => byKey[k].Area).Distinct())
            {
                windows[area].Add((f.Start.UtcDateTime, f.End.UtcDateTime + Recovery));
            }
        }
        bool InFault(string area, DateTime at) => windows[area].Any(w => at >= w.From && at < w.To);
        var alarms = raises.Where(s => !InFault(s.Area, s.At)).ToList();
        var rates = new List<(string Area, double Rate)>();
        var dayStart = Day.UtcDateTime;
        foreach (var area in areas)
        {
            var outsideMinutes = 0.0;
            for (var t = dayStart; t < dayStart.AddDays(1); t = t.AddMinutes(1))
            {
                outsideMinutes += InFault(area, t) ? 0 : 1;
            }
            var count = alarms.Count(a => a.Area == area);
            rates.Add((area, outsideMinutes > 0 ? count / (outsideMinutes / 10) : 0));
        }
        var worst = rates.MaxBy(r => r.Rate);
        return (rates.Average(r => r.Rate), worst.Area, worst.Rate, alarms.Count, alarms);
    }
}
