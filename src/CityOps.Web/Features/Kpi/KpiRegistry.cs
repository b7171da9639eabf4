using CityOps.Analytics;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Kpi;

/// <summary>The asset tree of one site as the KPI queries need it: assets with their parent and their sensors' ids by signal.</summary>
public sealed record KpiAsset(int Id, string Key, string Name, AssetType Type, int? ParentId, IReadOnlyList<KpiSensor> Sensors);

public sealed record KpiSensor(int Id, string Key, MetricKind Metric)
{
    /// <summary>The last part of the key (<c>state</c>, <c>good</c>, <c>energy</c> …).</summary>
    public string Signal => Key[(Key.LastIndexOf('.') + 1)..];
}

public sealed record KpiSite(string Key, string Name, SiteKind Kind, TimeZoneInfo Zone, IReadOnlyList<KpiAsset> Assets)
{
    public IEnumerable<KpiAsset> OfType(AssetType type) => Assets.Where(a => a.Type == type);
    public IEnumerable<KpiAsset> ChildrenOf(KpiAsset parent) => Assets.Where(a => a.ParentId == parent.Id);
}

/// <summary>Reads a site's registry for the KPI queries (one small EF query; the figures themselves come from the rollups).</summary>
public sealed class KpiRegistry(IDbContextFactory<CityOpsDbContext> dbFactory)
{
    public async Task<IReadOnlyList<(string Key, string Name, SiteKind Kind)>> SitesAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Key, s.Name, s.Kind }).ToListAsync(ct);
        return sites.Select(s => (s.Key, s.Name, s.Kind)).ToList();
    }

    /// <summary>The site by key, or the first of <paramref name="kind"/> when no key is given; null when there is none.</summary>
    public async Task<KpiSite?> LoadAsync(string? siteKey, SiteKind kind, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var site = await db.Sites.AsNoTracking()
            .Where(s => siteKey == null ? s.Kind == kind : s.Key == siteKey)
            .OrderBy(s => s.Id).FirstOrDefaultAsync(ct);
        if (site is null)
            return null;
        var assets = await db.Assets.AsNoTracking().Where(a => a.SiteId == site.Id).OrderBy(a => a.Id)
            .Select(a => new { a.Id, a.Key, a.Name, a.Type, a.ParentId, Sensors = a.Sensors.OrderBy(s => s.Id).Select(s => new { s.Id, s.Key, s.Metric }).ToList() })
            .ToListAsync(ct);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(site.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        return new KpiSite(site.Key, site.Name, site.Kind, zone,
            assets.Select(a => new KpiAsset(a.Id, a.Key, a.Name, a.Type, a.ParentId, a.Sensors.Select(s => new KpiSensor(s.Id, s.Key, s.Metric)).ToList())).ToList());
    }
}
