using CityOps.Simulator.World;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityOps.Web.Features.Assets;

/// <summary>What one registration changed, by kind.</summary>
public sealed record WorldRegistrationResult(
    IReadOnlyList<string> SitesAdded, IReadOnlyList<string> AssetsAdded, IReadOnlyList<string> SensorsAdded,
    IReadOnlyList<string> ActuatorsAdded, int Updated)
{
    public int Added => SitesAdded.Count + AssetsAdded.Count + SensorsAdded.Count + ActuatorsAdded.Count;
}

/// <summary>
/// Puts a <see cref="WorldDefinition"/> into the registry: rows are matched by key, missing ones are
/// added (parents before children) and existing ones get the definition's descriptive values, so running
/// it again changes nothing. An actuator's current value is live state and is only set when it is added.
/// Registrations are serialised across processes by a PostgreSQL advisory lock. Afterwards the sensor
/// catalog is refreshed, so ingest and the live store know the new sensors at once.
/// </summary>
public sealed class WorldRegistration(
    IDbContextFactory<CityOpsDbContext> dbFactory, SensorCatalog catalog, ILogger<WorldRegistration> logger)
{
    // Any constant shared by all registrations; "CityOpsW" in ASCII.
    private const long AdvisoryLockKey = 0x436974794F707357;

    public async Task<WorldRegistrationResult> RegisterAsync(WorldDefinition world, CancellationToken cancellationToken = default)
    {
        Validate(world);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Synthetic fleets bring tens of thousands of rows: detect changes once, not on every query.
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);

        var siteKeys = world.Sites.Select(s => s.Key).Concat(world.Assets.Select(a => a.SiteKey)).Distinct().ToList();
        var sites = await db.Sites.Where(s => siteKeys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, cancellationToken);
        var sitesAdded = new List<string>();
        foreach (var d in world.Sites)
        {
            if (!sites.TryGetValue(d.Key, out var site))
            {
                site = new Site { Key = d.Key, Name = d.Name, TimeZone = d.TimeZone };
                db.Sites.Add(site);
                sites[d.Key] = site;
                sitesAdded.Add(d.Key);
            }
            site.Name = d.Name;
            site.Kind = d.Kind;
            site.Latitude = d.Latitude;
            site.Longitude = d.Longitude;
            site.Zoom = d.Zoom;
            site.TimeZone = d.TimeZone;
        }

        var assetKeys = world.Assets.SelectMany(a => new[] { a.Key, a.ParentKey })
            .Concat(world.Sensors.Select(s => s.AssetKey)).Concat(world.Actuators.Select(a => a.AssetKey))
            .OfType<string>().Distinct().ToList();
        var assets = await db.Assets.Where(a => assetKeys.Contains(a.Key)).ToDictionaryAsync(a => a.Key, StringComparer.Ordinal, cancellationToken);
        var assetsAdded = new List<string>();
        foreach (var d in ParentsFirst(world.Assets))
        {
            var site = sites.GetValueOrDefault(d.SiteKey)
                ?? throw new InvalidOperationException($"Asset '{d.Key}' names site '{d.SiteKey}', which is neither registered nor in the definition.");
            Asset? parent = null;
            if (d.ParentKey is not null && !assets.TryGetValue(d.ParentKey, out parent))
            {
                throw new InvalidOperationException($"Asset '{d.Key}' names parent '{d.ParentKey}', which is neither registered nor in the definition.");
            }
            if (!assets.TryGetValue(d.Key, out var asset))
            {
                asset = new Asset { Key = d.Key, Name = d.Name };
                db.Assets.Add(asset);
                assets[d.Key] = asset;
                assetsAdded.Add(d.Key);
            }
            asset.Site = site;
            asset.Parent = parent;
            asset.Name = d.Name;
            asset.Type = d.Type;
            asset.Latitude = d.Latitude;
            asset.Longitude = d.Longitude;
        }

        var sensorKeys = world.Sensors.Select(s => s.Key).ToList();
        var sensors = await db.Sensors.Where(s => sensorKeys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, cancellationToken);
        var sensorsAdded = new List<string>();
        foreach (var d in world.Sensors)
        {
            var asset = assets.GetValueOrDefault(d.AssetKey)
                ?? throw new InvalidOperationException($"Sensor '{d.Key}' names asset '{d.AssetKey}', which is neither registered nor in the definition.");
            if (!sensors.TryGetValue(d.Key, out var sensor))
            {
                sensor = new Sensor { Key = d.Key, Unit = d.Unit };
                db.Sensors.Add(sensor);
                sensorsAdded.Add(d.Key);
            }
            sensor.Asset = asset;
            sensor.Metric = d.Metric;
            sensor.Unit = d.Unit;
            sensor.Min = d.Min;
            sensor.Max = d.Max;
            sensor.IntervalSeconds = d.IntervalSeconds;
            sensor.Latitude = d.Latitude;
            sensor.Longitude = d.Longitude;
        }

        var actuatorKeys = world.Actuators.Select(a => a.Key).ToList();
        var actuators = await db.Actuators.Where(a => actuatorKeys.Contains(a.Key)).ToDictionaryAsync(a => a.Key, StringComparer.Ordinal, cancellationToken);
        var actuatorsAdded = new List<string>();
        foreach (var d in world.Actuators)
        {
            var asset = assets.GetValueOrDefault(d.AssetKey)
                ?? throw new InvalidOperationException($"Actuator '{d.Key}' names asset '{d.AssetKey}', which is neither registered nor in the definition.");
            if (!actuators.TryGetValue(d.Key, out var actuator))
            {
                actuator = new Actuator { Key = d.Key, Unit = d.Unit, CurrentValue = d.Initial };
                db.Actuators.Add(actuator);
                actuatorsAdded.Add(d.Key);
            }
            actuator.Asset = asset;
            actuator.Kind = d.Kind;
            actuator.Unit = d.Unit;
            actuator.Min = d.Min;
            actuator.Max = d.Max;
        }

        db.ChangeTracker.DetectChanges();
        var updated = db.ChangeTracker.Entries().Count(e => e.State == EntityState.Modified);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await catalog.RefreshAsync(cancellationToken);

        var result = new WorldRegistrationResult(sitesAdded, assetsAdded, sensorsAdded, actuatorsAdded, updated);
        logger.LogInformation(
            "Registered world: {SitesAdded} sites, {AssetsAdded} assets, {SensorsAdded} sensors, {ActuatorsAdded} actuators added; {Updated} updated",
            sitesAdded.Count, assetsAdded.Count, sensorsAdded.Count, actuatorsAdded.Count, updated);
        return result;
    }

    private static void Validate(WorldDefinition world)
    {
        static void Unique(IEnumerable<string> keys, string kind)
        {
            var duplicate = keys.GroupBy(k => k, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new InvalidOperationException($"The world defines {kind} '{duplicate.Key}' more than once.");
            }
        }
        Unique(world.Sites.Select(s => s.Key), "site");
        Unique(world.Assets.Select(a => a.Key), "asset");
        Unique(world.Sensors.Select(s => s.Key), "sensor");
        Unique(world.Actuators.Select(a => a.Key), "actuator");
    }

    /// <summary>Orders assets so that each comes after its parent when both are in the definition.</summary>
    private static List<AssetDefinition> ParentsFirst(IReadOnlyList<AssetDefinition> assets)
    {
        var byKey = assets.ToDictionary(a => a.Key, StringComparer.Ordinal);
        var ordered = new List<AssetDefinition>(assets.Count);
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: done
        foreach (var asset in assets)
        {
            Visit(asset);
        }
        return ordered;

        void Visit(AssetDefinition asset)
        {
            // An explicit stack: synthetic fleets can nest deeper than recursion should go.
            var stack = new Stack<(AssetDefinition Asset, bool Expanded)>();
            stack.Push((asset, false));
            while (stack.Count > 0)
            {
                var (a, expanded) = stack.Pop();
                if (expanded)
                {
                    state[a.Key] = true;
                    ordered.Add(a);
                    continue;
                }
                if (state.TryGetValue(a.Key, out var done))
                {
                    if (!done)
                    {
                        throw new InvalidOperationException($"The asset hierarchy has a cycle through '{a.Key}'.");
                    }
                    continue;
                }
                state[a.Key] = false;
                stack.Push((a, true));
                if (a.ParentKey is not null && byKey.TryGetValue(a.ParentKey, out var parent))
                {
                    stack.Push((parent, false));
                }
            }
        }
    }
}

public static class WorldRegistrationExtensions
{
    public static IServiceCollection AddWorldRegistration(this IServiceCollection services)
    {
        services.TryAddSingleton<WorldRegistration>();
        return services;
    }
}
