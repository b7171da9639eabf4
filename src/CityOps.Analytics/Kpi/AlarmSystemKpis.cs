using CityOps.Analytics.Alerts;

namespace CityOps.Analytics.Kpi;

/// <summary>One alarm occurrence as the alarm-system KPIs see it.</summary>
public sealed record AlarmOccurrence(
    DateTime RaisedAt,
    DateTime? AcknowledgedAt,
    DateTime? ClearedAt,
    AlarmPriority Priority,
    string Area,
    string RuleKey,
    string SourceKey);

/// <summary>How often one alarm (rule on one source) occurred, and its share of all alarms.</summary>
public sealed record FrequentAlarm(string RuleKey, string SourceKey, int Count, double Share);

/// <summary>The alarm-load figures of one operator area over a period.</summary>
/// <param name="PercentTimeInFlood">Share of the period's 10-minute intervals with more than the flood threshold of alarms.</param>
public sealed record AreaAlarmLoad(string Area, int Alarms, double AveragePerTenMinutes, double AveragePerDay, int PeakPerTenMinutes,
    double PercentTimeInFlood);

/// <summary>The alarm-system performance of a period; ratios are null when there were no alarms to take them over.</summary>
public sealed record AlarmSystemReport(
    DateTime From,
    DateTime To,
    int TotalAlarms,
    IReadOnlyList<AreaAlarmLoad> Areas,
    IReadOnlyList<FrequentAlarm> TopTen,
    double? TopTenShare,
    int ChatteringAlarms,
    int StaleAlarms,
    IReadOnlyDictionary<AlarmPriority, double>? PriorityDistribution,
    TimeSpan? MeanTimeToAcknowledge);

/// <summary>
/// Alarm-system performance KPIs with the benchmark targets of EEMUA 191 (3rd ed. 2013, "Alarm systems — a guide
/// to design, management and procurement", Table 35 and Annex 6) and ANSI/ISA-18.2-2016 (IEC 62682:2014) clause
/// 16.9, Table 8 "Alarm performance metrics": average alarm rate per operator ≈ 1 per 10 minutes (acceptable),
/// at most 2 (manageable); at most 10 alarms in any 10-minute period (peak); less than about 1 % of 10-minute
/// periods in flood (more than 10 alarms); top-10 most frequent alarms at most 1–5 % of the load; zero chattering
/// and fleeting alarms; fewer than 5 stale alarms (standing more than 24 hours); priority distribution about
/// 80 % low, 15 % medium, 5 % high (critical counted with high). Version "EEMUA191-2013/ISA18.2-2016".
/// </summary>
public static class AlarmSystemKpis
{
    public const string Version = "EEMUA191-2013/ISA18.2-2016";

    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    public const double TargetAveragePerTenMinutes = 1;
    public const int TargetPeakPerTenMinutes = 10;
    public const double TargetPercentTimeInFlood = 1;
    public const double TargetTopTenSharePercent = 5;
    public const int TargetChatteringAlarms = 0;
    public const int TargetStaleAlarms = 5;
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(24);

    /// <summary>Target priority distribution (fractions); critical shares the "high" 5 %.</summary>
    public static IReadOnlyDictionary<AlarmPriority, double> TargetPriorityDistribution { get; } = new Dictionary<AlarmPriority, double>
    {
        [AlarmPriority.Low] = 0.80,
        [AlarmPriority.Medium] = 0.15,
        [AlarmPriority.High] = 0.05,
    };

    /// <summary>Computes the report over the alarms raised in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    /// <param name="areas">Areas to report even when they had no alarms (an operator area with a quiet period is a result).</param>
    /// <param name="floodThreshold">More than this many alarms in 10 minutes is a flood (EEMUA 191: 10).</param>
    /// <param name="chatterCount">An alarm raised this many times within <paramref name="chatterWindow"/> is chattering (ISA-18.2: 3 in 1 minute).</param>
    public static AlarmSystemReport Compute(IEnumerable<AlarmOccurrence> occurrences, DateTime from, DateTime to, IEnumerable<string>? areas = null,
        int floodThreshold = 10, int chatterCount = 3, TimeSpan? chatterWindow = null)
    {
        if (to <= from)
            throw new ArgumentException("The period must end after it starts.", nameof(to));
        var all = occurrences.ToList();
        var inPeriod = all.Where(a => a.RaisedAt >= from && a.RaisedAt < to).OrderBy(a => a.RaisedAt).ToList();
        var intervals = (int)Math.Ceiling((to - from) / Interval);
        var days = (to - from).TotalDays;

        var areaNames = new SortedSet<string>(areas ?? [], StringComparer.Ordinal);
        foreach (var a in inPeriod)
            areaNames.Add(a.Area);
        var loads = areaNames.Select(area =>
        {
            var counts = new int[intervals];
            foreach (var a in inPeriod.Where(a => a.Area == area))
                counts[(int)((a.RaisedAt - from) / Interval)]++;
            var total = counts.Sum();
            return new AreaAlarmLoad(area, total, (double)total / intervals, total / days, counts.Length == 0 ? 0 : counts.Max(),
                100.0 * counts.Count(c => c > floodThreshold) / intervals);
        }).ToList();

        var topTen = inPeriod.GroupBy(a => (a.RuleKey, a.SourceKey))
            .Select(g => (g.Key, Count: g.Count()))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Key.RuleKey, StringComparer.Ordinal).ThenBy(g => g.Key.SourceKey, StringComparer.Ordinal)
            .Take(10)
            .Select(g => new FrequentAlarm(g.Key.RuleKey, g.Key.SourceKey, g.Count, (double)g.Count / inPeriod.Count))
            .ToList();

        var window = chatterWindow ?? TimeSpan.FromMinutes(1);
        var chattering = inPeriod.GroupBy(a => (a.RuleKey, a.SourceKey)).Count(g => IsChattering(g.Select(a => a.RaisedAt).ToList(), chatterCount, window));

        // Stale: still standing (not cleared, or cleared only after) 24 h after being raised, as of the period's end.
        var stale = all.Count(a => a.RaisedAt + StaleAfter <= to && (a.ClearedAt is null || a.ClearedAt >= to));

        Dictionary<AlarmPriority, double>? distribution = null;
        if (inPeriod.Count > 0)
        {
            distribution = Enum.GetValues<AlarmPriority>().ToDictionary(p => p, p => (double)inPeriod.Count(a => a.Priority == p) / inPeriod.Count);
        }

        var acknowledged = inPeriod.Where(a => a.AcknowledgedAt is { } t && t >= a.RaisedAt).Select(a => a.AcknowledgedAt!.Value - a.RaisedAt).ToList();
        TimeSpan? mtta = acknowledged.Count > 0 ? TimeSpan.FromTicks((long)acknowledged.Average(t => t.Ticks)) : null;

        return new AlarmSystemReport(from, to, inPeriod.Count, loads, topTen, inPeriod.Count > 0 ? topTen.Sum(t => t.Share) : null,
            chattering, stale, distribution, mtta);
    }

    private static bool IsChattering(List<DateTime> raisedTimes, int count, TimeSpan window)
    {
        for (var i = count - 1; i < raisedTimes.Count; i++)
        {
            if (raisedTimes[i] - raisedTimes[i - count + 1] <= window)
                return true;
        }
        return false;
    }
}
