using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Kpi;

/// <summary>A KPI page's content: the period it covers and what to show, or why there is nothing.</summary>
public sealed record KpiPage<TReport>(KpiPeriod? Period, TReport? Report, KpiSheet? Sheet, string? Problem);

/// <summary>What the KPI pages and the CSV export call: the period resolved in the site's time zone, the report and its sheet.</summary>
public sealed class KpiService(PlantKpiQuery plant, CityKpiQuery city, AlarmKpiQuery alarms, KpiRegistry registry, ShiftCalendar calendar,
    IOptionsMonitor<KpiOptions> options, TimeProvider time)
{
    public Task<IReadOnlyList<(string Key, string Name, CityOps.Analytics.SiteKind Kind)>> SitesAsync(CancellationToken ct) => registry.SitesAsync(ct);

    public async Task<KpiPage<PlantKpiReport>> PlantAsync(KpiPeriodRequest request, string? site, string? line, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var report = await plant.ComputeAsync(site, zone => request.Resolve(zone, calendar, now), ct);
        if (report is null)
            return new(null, null, null, "There is no plant to report on.");
        var previous = await plant.ComputeAsync(report.SiteKey, _ => report.Period.Previous(), ct);
        return new(report.Period, report, PlantSheet.Build(report, previous, options.CurrentValue, line, KpiPeriodRequest.For(report.Period).Query), null);
    }

    public async Task<KpiPage<CityKpiReport>> CityAsync(KpiPeriodRequest request, string? site, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var report = await city.ComputeAsync(site, zone => request.Resolve(zone, calendar, now), ct);
        if (report is null)
            return new(null, null, null, "There is no city to report on.");
        var previous = await city.ComputeAsync(report.SiteKey, _ => report.Period.Previous(), ct);
        return new(report.Period, report, CitySheet.Build(report, previous, options.CurrentValue), null);
    }

    /// <summary>Alarm KPIs in the time zone of the first site (operator areas span sites).</summary>
    public async Task<KpiPage<AlarmKpiReport>> AlarmsAsync(KpiPeriodRequest request, CancellationToken ct)
    {
        var site = await registry.LoadAsync(null, CityOps.Analytics.SiteKind.City, ct) ?? await registry.LoadAsync(null, CityOps.Analytics.SiteKind.Plant, ct);
        var zone = site?.Zone ?? TimeZoneInfo.Utc;
        var period = request.Resolve(zone, calendar, time.GetUtcNow().UtcDateTime);
        var report = await alarms.ComputeAsync(period, ct);
        return new(period, report, AlarmSheet.Build(report, options.CurrentValue),
            report.Available ? null : "The alarm history is not available yet, so there are no alarm-system figures for this period.");
    }
}
