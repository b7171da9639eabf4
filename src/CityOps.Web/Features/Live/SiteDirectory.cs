using CityOps.Analytics;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Live;

/// <summary>A site as the live screens list it, with its time zone resolved.</summary>
public sealed record SiteSummary(int Id, string Key, string Name, SiteKind Kind, TimeZoneInfo TimeZone);

/// <summary>The registered sites, for screens; read from the database on each call.</summary>
public interface ISiteDirectory
{
    Task<IReadOnlyList<SiteSummary>> ListAsync(CancellationToken cancellationToken = default);
}

internal sealed class SiteDirectory(IDbContextFactory<CityOpsDbContext> dbFactory, ILogger<SiteDirectory> logger) : ISiteDirectory
{
    public async Task<IReadOnlyList<SiteSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Sites.AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new { s.Id, s.Key, s.Name, s.Kind, s.TimeZone })
            .ToListAsync(cancellationToken);
        return rows.Select(s => new SiteSummary(s.Id, s.Key, s.Name, s.Kind, ResolveTimeZone(s.Key, s.TimeZone))).ToList();
    }

    private TimeZoneInfo ResolveTimeZone(string siteKey, string id)
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return zone;
        }
        logger.LogWarning("Site {Site} names the unknown time zone {TimeZone}; its times are shown in UTC", siteKey, id);
        return TimeZoneInfo.Utc;
    }
}
