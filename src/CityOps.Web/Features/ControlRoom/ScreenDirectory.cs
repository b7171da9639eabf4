using CityOps.Analytics;
using CityOps.Web.Data;
using CityOps.Web.Features.Live;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.ControlRoom;

/// <summary>A site as the live screens place it: map centre and zoom, time zone resolved.</summary>
public sealed record ScreenSite(int Id, string Key, string Name, SiteKind Kind, double Latitude, double Longitude, int Zoom, TimeZoneInfo TimeZone);

/// <summary>A sensor with what its screens show: unit, physical valid range and reporting interval.</summary>
public sealed record ScreenSensor(int Id, string Key, int AssetId, MetricKind Metric, string Unit, double Min, double Max, double IntervalSeconds)
{
    /// <summary>The last part of the key (<c>motor_temp</c>), which names the signal within its asset.</summary>
    public string Signal => Key[(Key.LastIndexOf('.') + 1)..];
}

public sealed record ScreenAsset(
    int Id, string Key, int SiteId, int? ParentId, string Name, AssetType Type, double Latitude, double Longitude, IReadOnlyList<ScreenSensor> Sensors);

/// <summary>The registered world as the control room, plant view and detail screens read it.</summary>
public sealed record ScreenWorld(IReadOnlyList<ScreenSite> Sites, IReadOnlyList<ScreenAsset> Assets)
{
    public ScreenSite? Site(int id) => Sites.FirstOrDefault(s => s.Id == id);
}

/// <summary>Reads sites, assets and sensors for the live screens; one database round trip per call.</summary>
public interface IScreenDirectory
{
    Task<ScreenWorld> LoadAsync(int? siteId = null, CancellationToken cancellationToken = default);
}

internal sealed class ScreenDirectory(IDbContextFactory<CityOpsDbContext> dbFactory, ISiteDirectory sites) : IScreenDirectory
{
    public async Task<ScreenWorld> LoadAsync(int? siteId = null, CancellationToken cancellationToken = default)
    {
        // The site directory owns how a site's time zone is resolved; this adds where the site is.
        var summaries = await sites.ListAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var places = await db.Sites.AsNoTracking()
            .Where(s => siteId == null || s.Id == siteId)
            .Select(s => new { s.Id, s.Latitude, s.Longitude, s.Zoom })
            .ToDictionaryAsync(s => s.Id, cancellationToken);
        var sensors = await db.Sensors.AsNoTracking()
            .Where(s => siteId == null || s.Asset!.SiteId == siteId)
            .OrderBy(s => s.Key)
            .Select(s => new ScreenSensor(s.Id, s.Key, s.AssetId, s.Metric, s.Unit, s.Min, s.Max, s.IntervalSeconds))
            .ToListAsync(cancellationToken);
        var byAsset = sensors.ToLookup(s => s.AssetId);
        var assets = await db.Assets.AsNoTracking()
            .Where(a => siteId == null || a.SiteId == siteId)
            .OrderBy(a => a.Key)
            .Select(a => new { a.Id, a.Key, a.SiteId, a.ParentId, a.Name, a.Type, a.Latitude, a.Longitude })
            .ToListAsync(cancellationToken);
        var screenSites = summaries
            .Where(s => places.ContainsKey(s.Id))
            .Select(s => new ScreenSite(s.Id, s.Key, s.Name, s.Kind, places[s.Id].Latitude, places[s.Id].Longitude, places[s.Id].Zoom, s.TimeZone))
            .ToList();
        return new ScreenWorld(
            screenSites,
            assets.Select(a => new ScreenAsset(a.Id, a.Key, a.SiteId, a.ParentId, a.Name, a.Type, a.Latitude, a.Longitude, byAsset[a.Id].ToList())).ToList());
    }
}
