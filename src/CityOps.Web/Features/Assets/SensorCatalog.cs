using System.Collections.Frozen;
using CityOps.Analytics;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Assets;

/// <summary>What the hot paths need to know about a sensor, without a database round trip.</summary>
public sealed record SensorInfo(
    int Id, string Key, int SiteId, string SiteKey, int AssetId, string AssetKey, MetricKind Metric, string Unit,
    double Min, double Max, double IntervalSeconds, double? Latitude = null, double? Longitude = null);

/// <summary>
/// An immutable snapshot of the sensor registry, swapped whole on refresh so readers never lock.
/// Refreshed at start-up and whenever the registry changes.
/// </summary>
public sealed class SensorCatalog(IDbContextFactory<CityOpsDbContext> dbFactory)
{
    private Snapshot _snapshot = Snapshot.Empty;

    public IReadOnlyCollection<SensorInfo> All => _snapshot.ById.Values;

    public bool TryGet(string key, out SensorInfo info) => _snapshot.ByKey.TryGetValue(key, out info!);

    /// <summary>Looks a key up without allocating a string (the ingest parser reads keys straight from the request).</summary>
    public bool TryGet(ReadOnlySpan<char> key, out SensorInfo info) => _snapshot.ByKeySpan.TryGetValue(key, out info!);

    public bool TryGet(int id, out SensorInfo info) => _snapshot.ById.TryGetValue(id, out info!);

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Sensors.AsNoTracking()
            .Select(s => new SensorInfo(s.Id, s.Key, s.Asset!.SiteId, s.Asset.Site!.Key, s.AssetId, s.Asset.Key, s.Metric,
                s.Unit, s.Min, s.Max, s.IntervalSeconds, s.Latitude ?? s.Asset.Latitude, s.Longitude ?? s.Asset.Longitude))
            .ToListAsync(cancellationToken);
        Load(rows);
    }

    /// <summary>A catalog of the given sensors that is never refreshed from a database (unit tests, tools).</summary>
    internal static SensorCatalog Of(IReadOnlyCollection<SensorInfo> sensors)
    {
        var catalog = new SensorCatalog(null!);
        catalog.Load(sensors);
        return catalog;
    }

    private void Load(IReadOnlyCollection<SensorInfo> rows) =>
        _snapshot = new Snapshot(rows.ToFrozenDictionary(r => r.Key, StringComparer.Ordinal), rows.ToFrozenDictionary(r => r.Id));

    private sealed record Snapshot(FrozenDictionary<string, SensorInfo> ByKey, FrozenDictionary<int, SensorInfo> ById)
    {
        public FrozenDictionary<string, SensorInfo>.AlternateLookup<ReadOnlySpan<char>> ByKeySpan { get; } = ByKey.GetAlternateLookup<ReadOnlySpan<char>>();

        public static readonly Snapshot Empty = new(
            new Dictionary<string, SensorInfo>().ToFrozenDictionary(StringComparer.Ordinal), FrozenDictionary<int, SensorInfo>.Empty);
    }
}
