using System.Security.Claims;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Cluster;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>
/// Creates, changes and deletes sites, assets, sensors and actuators. Every operation checks its caller
/// (<see cref="AdminGuard"/>), validates with explaining messages, writes the change and its audit entry in one
/// SaveChanges, and after the commit tells every node (<see cref="ChangeTopics.Registry"/>) so ingest, the live
/// store and the alert engine know the new registry at once.
/// Keys never change once created: devices, rules and alarms refer to them.
/// </summary>
public sealed partial class AssetRegistry(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    AuditLog audit,
    ChangeSignals signals,
    IOptionsMonitor<RetentionOptions> retention)
{
    /// <summary>Deepest hierarchy walked when looking for cycles; deeper means the data is already broken.</summary>
    private const int MaxDepth = 256;

    public async Task<RegistryTree> GetTreeAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        var assets = await db.Assets.AsNoTracking().OrderBy(a => a.Name).ToListAsync(ct);
        var sensorCounts = await db.Sensors.GroupBy(s => s.AssetId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var actuatorCounts = await db.Actuators.GroupBy(a => a.AssetId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var siteKeys = sites.ToDictionary(s => s.Id, s => s.Key);
        var byId = assets.ToDictionary(a => a.Id);
        var children = assets.Where(a => a.ParentId is { } p && byId.ContainsKey(p)).ToLookup(a => a.ParentId!.Value);

        AssetNode Build(Asset a, int depth) => new(
            ToInput(a, siteKeys[a.SiteId], a.ParentId is { } p && byId.TryGetValue(p, out var parent) ? parent.Key : null),
            sensorCounts.GetValueOrDefault(a.Id), actuatorCounts.GetValueOrDefault(a.Id),
            depth >= MaxDepth ? [] : children[a.Id].Select(c => Build(c, depth + 1)).ToList());

        return new RegistryTree(sites.Select(s => new SiteNode(ToInput(s),
            assets.Where(a => a.SiteId == s.Id && (a.ParentId is null || !byId.ContainsKey(a.ParentId.Value))).Select(a => Build(a, 0)).ToList())).ToList());
    }

    public async Task<AssetEquipment> GetEquipmentAsync(string assetKey, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sensors = await db.Sensors.AsNoTracking().Where(s => s.Asset!.Key == assetKey).OrderBy(s => s.Key)
            .Select(s => new SensorInput(s.Key, assetKey, s.Metric, s.Unit, s.Min, s.Max, s.IntervalSeconds, s.Latitude, s.Longitude)).ToListAsync(ct);
        var actuators = await db.Actuators.AsNoTracking().Where(a => a.Asset!.Key == assetKey).OrderBy(a => a.Key)
            .Select(a => new ActuatorInput(a.Key, assetKey, a.Kind, a.Unit, a.Min, a.Max)).ToListAsync(ct);
        return new AssetEquipment(sensors, actuators);
    }

    // ---- Sites ----

    public async Task CreateSiteAsync(ClaimsPrincipal user, SiteInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        var errors = RegistryValidation.Site(input).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (errors.Count == 0 && await db.Sites.AnyAsync(s => s.Key == input.Key, ct))
        {
            errors.Add(new("key", $"A site with key '{input.Key}' already exists."));
        }
        Throw(errors);
        var site = new Site { Key = input.Key, Name = input.Name, TimeZone = input.TimeZone };
        Apply(site, input);
        db.Sites.Add(site);
        audit.Add(db, actor, AuditCategory.Administration, "site.created", SiteTarget(input.Key), null, input);
        await SaveAsync(db, ct);
        await PublishAsync(SiteTarget(input.Key), ct);
    }

    public async Task UpdateSiteAsync(ClaimsPrincipal user, string key, SiteInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        KeyUnchanged(key, input.Key);
        Throw(RegistryValidation.Site(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Key == key, ct) ?? throw NotFound("site", key);
        var before = ToInput(site);
        Apply(site, input);
        audit.Add(db, actor, AuditCategory.Administration, "site.updated", SiteTarget(key), before, input);
        await SaveAsync(db, ct);
        await PublishAsync(SiteTarget(key), ct);
    }

    public async Task DeleteSiteAsync(ClaimsPrincipal user, string key, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Key == key, ct) ?? throw NotFound("site", key);
        var assets = await db.Assets.CountAsync(a => a.SiteId == site.Id, ct);
        if (assets > 0)
        {
            throw new RegistryConflictException(
                $"Site '{key}' still has {assets} asset(s). Delete or move them first; a site is only deleted when it is empty.");
        }
        db.Sites.Remove(site);
        audit.Add(db, actor, AuditCategory.Administration, "site.deleted", SiteTarget(key), ToInput(site), null);
        await SaveAsync(db, ct);
        await PublishAsync(SiteTarget(key), ct);
    }

    // ---- Assets ----

    public async Task CreateAssetAsync(ClaimsPrincipal user, AssetInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        Throw(RegistryValidation.Asset(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var world = await AssetWorld.LoadAsync(db, ct);
        var errors = world.Check(input, isNew: true);
        Throw(errors);
        var asset = new Asset { Key = input.Key, Name = input.Name };
        db.Assets.Add(asset);
        world.Apply(asset, input);
        audit.Add(db, actor, AuditCategory.Administration, "asset.created", AssetTarget(input.Key), null, input);
        await SaveAsync(db, ct);
        await PublishAsync(AssetTarget(input.Key), ct);
    }

    /// <summary>
    /// Changes an asset, including its parent (re-parenting) and site. Refused when the new parent is the asset itself
    /// or one of its descendants, or stands on another site. When the site changes, the asset's descendants move
    /// with it.
    /// </summary>
    public async Task UpdateAssetAsync(ClaimsPrincipal user, string key, AssetInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        KeyUnchanged(key, input.Key);
        Throw(RegistryValidation.Asset(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var world = await AssetWorld.LoadAsync(db, ct);
        var asset = world.Find(key) ?? throw NotFound("asset", key);
        Throw(world.Check(input, isNew: false));
        var before = world.ToInput(asset);
        world.Apply(asset, input);
        var action = before.ParentKey != input.ParentKey || before.SiteKey != input.SiteKey ? "asset.moved" : "asset.updated";
        audit.Add(db, actor, AuditCategory.Administration, action, AssetTarget(key), before, input);
        await SaveAsync(db, ct);
        await PublishAsync(AssetTarget(key), ct);
    }

    /// <summary>Moves an asset under another asset of the same site, or to the top of its site (<paramref name="newParentKey"/> null).</summary>
    public async Task MoveAssetAsync(ClaimsPrincipal user, string key, string? newParentKey, CancellationToken ct = default)
    {
        AdminGuard.Demand(user);
        AssetInput current;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var world = await AssetWorld.LoadAsync(db, ct);
            var asset = world.Find(key) ?? throw NotFound("asset", key);
            current = world.ToInput(asset);
        }
        await UpdateAssetAsync(user, key, current with { ParentKey = newParentKey }, ct);
    }

    /// <summary>What deleting the asset would do; nothing is changed.</summary>
    public async Task<DeletionPlan> PlanAssetDeletionAsync(string key, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var asset = await db.Assets.AsNoTracking().SingleOrDefaultAsync(a => a.Key == key, ct) ?? throw NotFound("asset", key);
        var children = await db.Assets.CountAsync(a => a.ParentId == asset.Id, ct);
        var sensors = await db.Sensors.AsNoTracking().Where(s => s.AssetId == asset.Id).OrderBy(s => s.Key).Select(s => new { s.Id, s.Key }).ToListAsync(ct);
        var actuators = await db.Actuators.AsNoTracking().Where(a => a.AssetId == asset.Id).OrderBy(a => a.Key).Select(a => a.Key).ToListAsync(ct);
        return await PlanAsync(db, $"asset '{key}'", children, sensors.Select(s => (s.Id, s.Key)).ToList(), actuators, ct);
    }

    /// <summary>
    /// Deletes an asset. Refused when it has child assets. When it has sensors or actuators, refused unless
    /// <paramref name="withEquipment"/> confirms that they are deleted too (see <see cref="PlanAssetDeletionAsync"/>
    /// for what happens to their history).
    /// </summary>
    public async Task<DeletionPlan> DeleteAssetAsync(ClaimsPrincipal user, string key, bool withEquipment, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        var plan = await PlanAssetDeletionAsync(key, ct);
        if (!plan.Allowed || (plan.DeletesEquipment && !withEquipment))
        {
            throw new RegistryConflictException(plan.Explanation);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var asset = await db.Assets.Include(a => a.Site).SingleOrDefaultAsync(a => a.Key == key, ct) ?? throw NotFound("asset", key);
        var parentKey = asset.ParentId is { } p ? await db.Assets.Where(a => a.Id == p).Select(a => a.Key).SingleAsync(ct) : null;
        // Re-checked inside the transaction: a child or sensor added since the plan was made must not vanish unannounced.
        if (await db.Assets.AnyAsync(a => a.ParentId == asset.Id, ct))
        {
            throw new RegistryConflictException($"Asset '{key}' has child assets now; move or delete them first.");
        }
        var sensors = await db.Sensors.Where(s => s.AssetId == asset.Id).ToListAsync(ct);
        var actuators = await db.Actuators.Where(a => a.AssetId == asset.Id).ToListAsync(ct);
        if (!sensors.Select(s => s.Key).Order(StringComparer.Ordinal).SequenceEqual(plan.SensorKeys.Order(StringComparer.Ordinal)) ||
            !actuators.Select(a => a.Key).Order(StringComparer.Ordinal).SequenceEqual(plan.ActuatorKeys.Order(StringComparer.Ordinal)))
        {
            throw new RegistryConflictException($"The sensors or actuators of '{key}' changed meanwhile; look at the deletion again.");
        }
        foreach (var sensor in sensors)
        {
            db.Sensors.Remove(sensor);
            audit.Add(db, actor, AuditCategory.Administration, "sensor.deleted", SensorTarget(sensor.Key), ToInput(sensor, key), null,
                $"Deleted with asset '{key}'.");
        }
        foreach (var actuator in actuators)
        {
            db.Actuators.Remove(actuator);
            audit.Add(db, actor, AuditCategory.Administration, "actuator.deleted", ActuatorTarget(actuator.Key), ToInput(actuator, key), null,
                $"Deleted with asset '{key}'.");
        }
        db.Assets.Remove(asset);
        audit.Add(db, actor, AuditCategory.Administration, "asset.deleted", AssetTarget(key), ToInput(asset, asset.Site!.Key, parentKey), null,
            plan.DeletesEquipment ? plan.Explanation : null);
        await SaveAsync(db, ct);
        await transaction.CommitAsync(ct);
        await PublishAsync(AssetTarget(key), ct);
        return plan;
    }

    // ---- Sensors ----

    public async Task CreateSensorAsync(ClaimsPrincipal user, SensorInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        var errors = RegistryValidation.Sensor(input).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.Key == input.AssetKey, ct);
        if (errors.Count == 0)
        {
            if (asset is null)
            {
                errors.Add(new("assetKey", $"There is no asset '{input.AssetKey}'."));
            }
            if (await db.Sensors.AnyAsync(s => s.Key == input.Key, ct))
            {
                errors.Add(new("key", $"A sensor with key '{input.Key}' already exists."));
            }
        }
        Throw(errors);
        var sensor = new Sensor { Key = input.Key, Unit = input.Unit, AssetId = asset!.Id };
        Apply(sensor, input);
        db.Sensors.Add(sensor);
        audit.Add(db, actor, AuditCategory.Administration, "sensor.created", SensorTarget(input.Key), null, input);
        await SaveAsync(db, ct);
        await PublishAsync(SensorTarget(input.Key), ct);
    }

    public async Task UpdateSensorAsync(ClaimsPrincipal user, string key, SensorInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        KeyUnchanged(key, input.Key);
        Throw(RegistryValidation.Sensor(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sensor = await db.Sensors.Include(s => s.Asset).SingleOrDefaultAsync(s => s.Key == key, ct) ?? throw NotFound("sensor", key);
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.Key == input.AssetKey, ct)
            ?? throw new RegistryValidationException([new("assetKey", $"There is no asset '{input.AssetKey}'.")]);
        var before = ToInput(sensor, sensor.Asset!.Key);
        sensor.AssetId = asset.Id;
        Apply(sensor, input);
        audit.Add(db, actor, AuditCategory.Administration, "sensor.updated", SensorTarget(key), before, input);
        await SaveAsync(db, ct);
        await PublishAsync(SensorTarget(key), ct);
    }

    /// <summary>What deleting the sensor would do to its history; nothing is changed.</summary>
    public async Task<DeletionPlan> PlanSensorDeletionAsync(string key, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var id = await db.Sensors.Where(s => s.Key == key).Select(s => (int?)s.Id).SingleOrDefaultAsync(ct) ?? throw NotFound("sensor", key);
        return await PlanAsync(db, $"sensor '{key}'", 0, [(id, key)], [], ct);
    }

    public async Task<DeletionPlan> DeleteSensorAsync(ClaimsPrincipal user, string key, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        var plan = await PlanSensorDeletionAsync(key, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sensor = await db.Sensors.Include(s => s.Asset).SingleOrDefaultAsync(s => s.Key == key, ct) ?? throw NotFound("sensor", key);
        db.Sensors.Remove(sensor);
        audit.Add(db, actor, AuditCategory.Administration, "sensor.deleted", SensorTarget(key), ToInput(sensor, sensor.Asset!.Key), null, plan.Explanation);
        await SaveAsync(db, ct);
        await PublishAsync(SensorTarget(key), ct);
        return plan;
    }

    // ---- Actuators ----

    public async Task CreateActuatorAsync(ClaimsPrincipal user, ActuatorInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        var errors = RegistryValidation.Actuator(input).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.Key == input.AssetKey, ct);
        if (errors.Count == 0)
        {
            if (asset is null)
            {
                errors.Add(new("assetKey", $"There is no asset '{input.AssetKey}'."));
            }
            if (await db.Actuators.AnyAsync(a => a.Key == input.Key, ct))
            {
                errors.Add(new("key", $"An actuator with key '{input.Key}' already exists."));
            }
        }
        Throw(errors);
        // A new actuator starts at the middle of its range until its first command or feedback.
        var actuator = new Actuator { Key = input.Key, Unit = input.Unit, AssetId = asset!.Id, CurrentValue = (input.Min + input.Max) / 2 };
        Apply(actuator, input);
        db.Actuators.Add(actuator);
        audit.Add(db, actor, AuditCategory.Administration, "actuator.created", ActuatorTarget(input.Key), null, input);
        await SaveAsync(db, ct);
        await PublishAsync(ActuatorTarget(input.Key), ct);
    }

    public async Task UpdateActuatorAsync(ClaimsPrincipal user, string key, ActuatorInput input, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        input = Trim(input);
        KeyUnchanged(key, input.Key);
        Throw(RegistryValidation.Actuator(input));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var actuator = await db.Actuators.Include(a => a.Asset).SingleOrDefaultAsync(a => a.Key == key, ct) ?? throw NotFound("actuator", key);
        var asset = await db.Assets.SingleOrDefaultAsync(a => a.Key == input.AssetKey, ct)
            ?? throw new RegistryValidationException([new("assetKey", $"There is no asset '{input.AssetKey}'.")]);
        var before = ToInput(actuator, actuator.Asset!.Key);
        actuator.AssetId = asset.Id;
        Apply(actuator, input);
        audit.Add(db, actor, AuditCategory.Administration, "actuator.updated", ActuatorTarget(key), before, input);
        await SaveAsync(db, ct);
        await PublishAsync(ActuatorTarget(key), ct);
    }

    /// <summary>Deletes an actuator; commands already sent to it stay in the command history, which stores its key.</summary>
    public async Task DeleteActuatorAsync(ClaimsPrincipal user, string key, CancellationToken ct = default)
    {
        var actor = AdminGuard.Demand(user);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var actuator = await db.Actuators.Include(a => a.Asset).SingleOrDefaultAsync(a => a.Key == key, ct) ?? throw NotFound("actuator", key);
        db.Actuators.Remove(actuator);
        audit.Add(db, actor, AuditCategory.Administration, "actuator.deleted", ActuatorTarget(key), ToInput(actuator, actuator.Asset!.Key), null);
        await SaveAsync(db, ct);
        await PublishAsync(ActuatorTarget(key), ct);
    }

    // ---- Shared ----

    private async Task<DeletionPlan> PlanAsync(
        CityOpsDbContext db, string target, int children, IReadOnlyList<(int Id, string Key)> sensors, IReadOnlyList<string> actuators, CancellationToken ct)
    {
        long raw = 0, minute = 0, hour = 0;
        var alarms = 0;
        if (sensors.Count > 0)
        {
            var ids = sensors.Select(s => s.Id).ToArray();
            await using var cmd = dataSource.CreateCommand("""
                SELECT (SELECT count(*) FROM readings WHERE sensor_id = ANY($1)),
                       (SELECT count(*) FROM rollup_1m WHERE sensor_id = ANY($1)),
                       (SELECT count(*) FROM rollup_1h WHERE sensor_id = ANY($1))
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (raw, minute, hour) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            var keys = sensors.Select(s => s.Key).ToList();
            alarms = await db.Alarms.CountAsync(a => a.SensorKey != null && keys.Contains(a.SensorKey), ct);
        }
        var explanation = Explain(target, children, sensors.Count, actuators.Count, raw, minute, hour, alarms);
        return new DeletionPlan(target, children, sensors.Select(s => s.Key).ToList(), actuators, raw, minute, hour, alarms, explanation);
    }

    private string Explain(string target, int children, int sensors, int actuators, long raw, long minute, long hour, int alarms)
    {
        if (children > 0)
        {
            return $"The {target} has {children} child asset(s). Move them to another parent (drag them in the tree) or delete them first; nothing was deleted.";
        }
        var parts = new List<string>();
        var isSensor = target.StartsWith("sensor", StringComparison.Ordinal);
        if (!isSensor && (sensors > 0 || actuators > 0))
        {
            parts.Add($"Deleting the {target} also deletes its {Count(sensors, "sensor")} and {Count(actuators, "actuator")}.");
        }
        else if (!isSensor)
        {
            parts.Add($"The {target} has no sensors, actuators or child assets; only the asset is deleted.");
        }
        if (sensors > 0)
        {
            var options = retention.CurrentValue;
            parts.Add(
                $"Their history is not deleted with them: {raw:N0} raw reading(s) and {minute:N0} 1-minute rollup(s) stay in the history tables until " +
                $"retention removes them (raw readings after {options.RawDays} days, 1-minute rollups after {options.MinuteRollupDays} days); " +
                $"{hour:N0} hourly rollup(s) stay like all hourly history, which is kept without limit.");
            parts.Add(
                "Screens and the API can no longer show that history, because it is found through the sensor; a sensor created later with the " +
                "same key starts with an empty history. Readings that devices still send to a deleted key are refused as from an unknown sensor.");
            parts.Add(alarms > 0
                ? $"{Count(alarms, "alarm")} refer to the deleted sensor(s); they are kept, with the sensor key, in the alarm list and history."
                : "No alarms refer to them.");
        }
        if (actuators > 0)
        {
            parts.Add("Commands already sent to the actuators stay in the command history, which stores their keys.");
        }
        return string.Join(" ", parts);
    }

    private static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n:N0} {noun}s";

    private async Task PublishAsync(string target, CancellationToken ct) =>
        await signals.PublishAsync(ChangeTopics.Registry, target, ct);

    /// <summary>Saves; a unique key taken meanwhile by another administrator becomes a validation message.</summary>
    private static async Task SaveAsync(CityOpsDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new RegistryValidationException([new("key", "That key was taken meanwhile by another change; choose another.")]);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation })
        {
            throw new RegistryConflictException("The registry changed meanwhile (something this refers to was deleted or gained children); reload and try again.");
        }
    }

    private static void Throw(IReadOnlyList<RegistryError> errors)
    {
        if (errors.Count > 0)
        {
            throw new RegistryValidationException(errors);
        }
    }

    private static void KeyUnchanged(string key, string inputKey)
    {
        if (!string.Equals(key, inputKey, StringComparison.Ordinal))
        {
            throw new RegistryValidationException([new("key",
                $"Keys cannot be changed ('{key}' → '{inputKey}'): devices, rules and alarms refer to them. Create a new one and delete the old one instead.")]);
        }
    }

    private static RegistryNotFoundException NotFound(string kind, string key) => new($"There is no {kind} '{key}'.");

    internal static string SiteTarget(string key) => $"site:{key}";
    internal static string AssetTarget(string key) => $"asset:{key}";
    internal static string SensorTarget(string key) => $"sensor:{key}";
    internal static string ActuatorTarget(string key) => $"actuator:{key}";

    internal static SiteInput ToInput(Site s) => new(s.Key, s.Name, s.Kind, s.Latitude, s.Longitude, s.Zoom, s.TimeZone);

    internal static AssetInput ToInput(Asset a, string siteKey, string? parentKey) =>
        new(a.Key, siteKey, parentKey, a.Name, a.Type, a.Latitude, a.Longitude);

    internal static SensorInput ToInput(Sensor s, string assetKey) =>
        new(s.Key, assetKey, s.Metric, s.Unit, s.Min, s.Max, s.IntervalSeconds, s.Latitude, s.Longitude);

    internal static ActuatorInput ToInput(Actuator a, string assetKey) => new(a.Key, assetKey, a.Kind, a.Unit, a.Min, a.Max);

    internal static SiteInput Trim(SiteInput s) => s with { Key = s.Key?.Trim() ?? "", Name = s.Name?.Trim() ?? "", TimeZone = s.TimeZone?.Trim() ?? "" };

    internal static AssetInput Trim(AssetInput a) => a with
    {
        Key = a.Key?.Trim() ?? "", SiteKey = a.SiteKey?.Trim() ?? "", Name = a.Name?.Trim() ?? "",
        ParentKey = string.IsNullOrWhiteSpace(a.ParentKey) ? null : a.ParentKey.Trim(),
    };

    internal static SensorInput Trim(SensorInput s) => s with { Key = s.Key?.Trim() ?? "", AssetKey = s.AssetKey?.Trim() ?? "", Unit = s.Unit?.Trim() ?? "" };

    internal static ActuatorInput Trim(ActuatorInput a) => a with { Key = a.Key?.Trim() ?? "", AssetKey = a.AssetKey?.Trim() ?? "", Unit = a.Unit?.Trim() ?? "" };

    private static void Apply(Site site, SiteInput input)
    {
        site.Name = input.Name;
        site.Kind = input.Kind;
        site.Latitude = input.Latitude;
        site.Longitude = input.Longitude;
        site.Zoom = input.Zoom;
        site.TimeZone = input.TimeZone;
    }

    private static void Apply(Sensor sensor, SensorInput input)
    {
        sensor.Metric = input.Metric;
        sensor.Unit = input.Unit;
        sensor.Min = input.Min;
        sensor.Max = input.Max;
        sensor.IntervalSeconds = input.IntervalSeconds;
        sensor.Latitude = input.Latitude;
        sensor.Longitude = input.Longitude;
    }

    private static void Apply(Actuator actuator, ActuatorInput input)
    {
        actuator.Kind = input.Kind;
        actuator.Unit = input.Unit;
        actuator.Min = input.Min;
        actuator.Max = input.Max;
    }
}
