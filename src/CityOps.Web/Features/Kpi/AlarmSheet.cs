using CityOps.Analytics.Alerts;
using CityOps.Analytics.Kpi;

namespace CityOps.Web.Features.Kpi;

/// <summary>Turns the alarm-system report into what the alarm KPI page shows, each figure against its EEMUA 191 / ISA-18.2 target.</summary>
public static class AlarmSheet
{
    public static KpiSheet Build(AlarmKpiReport r, KpiOptions o)
    {
        var band = o.AmberBand;
        var now = r.Report;
        var before = r.Previous;
        double? avg = now is null || now.Areas.Count == 0 ? null : now.Areas.Max(a => a.AveragePerTenMinutes);
        double? avgBefore = before is null || before.Areas.Count == 0 ? null : before.Areas.Max(a => a.AveragePerTenMinutes);
        double? peak = now is null || now.Areas.Count == 0 ? null : now.Areas.Max(a => a.PeakPerTenMinutes);
        double? peakBefore = before is null || before.Areas.Count == 0 ? null : before.Areas.Max(a => a.PeakPerTenMinutes);
        double? flood = now is null || now.Areas.Count == 0 ? null : now.Areas.Max(a => a.PercentTimeInFlood) / 100;
        double? floodBefore = before is null || before.Areas.Count == 0 ? null : before.Areas.Max(a => a.PercentTimeInFlood) / 100;
        double? high = now?.PriorityDistribution is { } d ? d.GetValueOrDefault(AlarmPriority.High) + d.GetValueOrDefault(AlarmPriority.Critical) : null;
        double? highBefore = before?.PriorityDistribution is { } db ? db.GetValueOrDefault(AlarmPriority.High) + db.GetValueOrDefault(AlarmPriority.Critical) : null;
        var tiles = new List<KpiTile>
        {
            Number("rate", "Alarms per 10 min (busiest area)", avg, avgBefore, AlarmSystemKpis.TargetAveragePerTenMinutes, 2, band),
            Number("peak", "Peak alarms in 10 min", peak, peakBefore, AlarmSystemKpis.TargetPeakPerTenMinutes, 0, band),
            PlantSheet.Ratio("flood", "Time in flood (busiest area)", flood, floodBefore, AlarmSystemKpis.TargetPercentTimeInFlood / 100, false, band, "#areas"),
            PlantSheet.Ratio("top10", "Top-10 share of load", now?.TopTenShare, before?.TopTenShare, AlarmSystemKpis.TargetTopTenSharePercent / 100, false, band, "#top10"),
            Number("chattering", "Chattering alarms", now?.ChatteringAlarms, before?.ChatteringAlarms, AlarmSystemKpis.TargetChatteringAlarms, 0, band),
            Number("stale", "Stale alarms (> 24 h)", now?.StaleAlarms, before?.StaleAlarms, AlarmSystemKpis.TargetStaleAlarms, 0, band),
            PlantSheet.Ratio("high-priority", "High and critical priority share", high, highBefore, AlarmSystemKpis.TargetPriorityDistribution[AlarmPriority.High], false, band, "#priorities"),
            new("mtta", "Mean time to acknowledge", KpiFormat.Duration(now?.MeanTimeToAcknowledge), "—", KpiFormat.Duration(before?.MeanTimeToAcknowledge),
                KpiFormat.Signed(PeriodComparison.RelativeChange(now?.MeanTimeToAcknowledge?.TotalMinutes, before?.MeanTimeToAcknowledge?.TotalMinutes)),
                now?.MeanTimeToAcknowledge is null ? KpiLight.Missing : KpiLight.None),
        };
        var response = r.Response;
        var responseBefore = r.PreviousResponse;
        tiles.Add(new("accepted", "Suggested actions accepted", KpiFormat.Percent(response?.AcceptedShare), "—", KpiFormat.Percent(responseBefore?.AcceptedShare),
            KpiFormat.Signed(PeriodComparison.RelativeChange(response?.AcceptedShare, responseBefore?.AcceptedShare)),
            response?.AcceptedShare is null ? KpiLight.Missing : KpiLight.None, "#response"));
        tiles.Add(new("as-predicted", "Applied actions that worked as predicted", KpiFormat.Percent(response?.AsPredictedShare), "—",
            KpiFormat.Percent(responseBefore?.AsPredictedShare),
            KpiFormat.Signed(PeriodComparison.RelativeChange(response?.AsPredictedShare, responseBefore?.AsPredictedShare)),
            response?.AsPredictedShare is null ? KpiLight.Missing : KpiLight.None, "#response"));
        IReadOnlyList<IReadOnlyList<KpiCell>> responseRows = response is null ? [] :
        [
            [new("Suggested"), new(KpiFormat.Count(response.Suggested))],
            [new("Accepted (as proposed or modified)"), new(KpiFormat.Count(response.Accepted))],
            [new("Rejected"), new(KpiFormat.Count(response.Rejected))],
            [new("Expired undecided"), new(KpiFormat.Count(response.Expired))],
            [new("Applied to the equipment"), new(KpiFormat.Count(response.Applied))],
            [new("Outcome checked"), new(KpiFormat.Count(response.OutcomesChecked))],
            [new("Mean error of the prediction (sensor units)"), new(KpiFormat.Number(response.MeanAbsoluteError, 2))],
        ];
        var areas = (now?.Areas ?? []).Select(a => (IReadOnlyList<KpiCell>)
        [
            new(a.Area), new(KpiFormat.Count(a.Alarms)),
            new(KpiFormat.Number(a.AveragePerTenMinutes, 2), KpiFormat.Light(a.AveragePerTenMinutes, AlarmSystemKpis.TargetAveragePerTenMinutes, false, band)),
            new(KpiFormat.Number(a.AveragePerDay, 1)),
            new(KpiFormat.Count(a.PeakPerTenMinutes), KpiFormat.Light(a.PeakPerTenMinutes, AlarmSystemKpis.TargetPeakPerTenMinutes, false, band)),
            new(KpiFormat.Percent(a.PercentTimeInFlood / 100), KpiFormat.Light(a.PercentTimeInFlood, AlarmSystemKpis.TargetPercentTimeInFlood, false, band)),
        ]).ToList();
        var top = (now?.TopTen ?? []).Select(t => (IReadOnlyList<KpiCell>)
            [new(t.RuleKey), new(t.SourceKey), new(KpiFormat.Count(t.Count)), new(KpiFormat.Percent(t.Share))]).ToList();
        var priorities = Enum.GetValues<AlarmPriority>().Select(p => (IReadOnlyList<KpiCell>)
        [
            new(p.ToString()), new(KpiFormat.Percent(now?.PriorityDistribution?.GetValueOrDefault(p))),
            new(AlarmSystemKpis.TargetPriorityDistribution.TryGetValue(p, out var t) ? "≈ " + KpiFormat.Percent(t, 0) : "with High"),
        ]).ToList();
        return new KpiSheet("Alarm system KPIs", r.Period.Label, r.Period.Zone.Id, tiles,
        [
            new("areas", "Alarm load by operator area", ["Area", "Alarms", "Per 10 min", "Per day", "Peak in 10 min", "Time in flood"], areas),
            new("top10", "Ten most frequent alarms", ["Rule", "Source", "Alarms", "Share"], top),
            new("priorities", "Priority distribution", ["Priority", "Share", "Target"], priorities),
            new("response", "Response to suggested actions", ["Figure", "Value"], responseRows),
        ]);
    }

    private static KpiTile Number(string id, string name, double? value, double? previous, double target, int decimals, double band) =>
        new(id, name, KpiFormat.Number(value, decimals), "≤ " + KpiFormat.Number(target, decimals), KpiFormat.Number(previous, decimals),
            KpiFormat.Signed(PeriodComparison.RelativeChange(value, previous)), KpiFormat.Light(value, target, false, band), "#areas");
}
