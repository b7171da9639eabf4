using System.Collections.Frozen;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// The registry as the alert engine sees it: the sensors rules bind to, each with its operator area (the district of
/// a city sensor, the line of a plant sensor), the asset hierarchy by key, and which machine-state sensors tell
/// whether each production line runs. An immutable snapshot, rebuilt when the registry changes.
/// </summary>
internal sealed class EngineWorld
{
    private EngineWorld(
        IReadOnlyList<EngineSensor> sensors,
        FrozenDictionary<string, string?> assetParents,
        FrozenDictionary<int, string> lineOfStateSensor)
    {
        Sensors = sensors;
        ById = sensors.ToFrozenDictionary(s => s.Id);
        ByKey = sensors.ToFrozenDictionary(s => s.Key, StringComparer.Ordinal);
        AssetParents = assetParents;
        LineOfStateSensor = lineOfStateSensor;
    }

    public static EngineWorld Empty { get; } = new([], FrozenDictionary<string, string?>.Empty, FrozenDictionary<int, string>.Empty);

    public IReadOnlyList<EngineSensor> Sensors { get; }
    public FrozenDictionary<int, EngineSensor> ById { get; }
    public FrozenDictionary<string, EngineSensor> ByKey { get; }

    /// <summary>Asset key → parent asset key (null at the top).</summary>
    public FrozenDictionary<string, string?> AssetParents { get; }

    /// <summary>Machine-state sensor id → the key of the line its machine stands on.</summary>
    public FrozenDictionary<int, string> LineOfStateSensor { get; }

    public bool IsWithin(string assetKey, string ancestorKey)
    {
        string? current = assetKey;
        for (var depth = 0; current is not null && depth < 64; depth++)
        {
            if (current == ancestorKey)
            {
                return true;
            }
            current = AssetParents.GetValueOrDefault(current);
        }
        return false;
    }

    public static async Task<EngineWorld> LoadAsync(CityOpsDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var sites = await db.Sites.AsNoTracking().Select(s => new { s.Id, s.Key, s.TimeZone }).ToListAsync(cancellationToken);
        var assets = await db.Assets.AsNoTracking().Select(a => new { a.Id, a.Key, a.ParentId, a.Type, a.SiteId }).ToListAsync(cancellationToken);
        var sensors = await db.Sensors.AsNoTracking()
            .Select(s => new { s.Id, s.Key, s.AssetId, s.Metric, s.Unit, s.Min, s.Max, s.IntervalSeconds })
            .ToListAsync(cancellationToken);

        var zones = sites.ToDictionary(s => s.Id, s => (s.Key, Zone: ResolveZone(s.Key, s.TimeZone, logger)));
        var byId = assets.ToDictionary(a => a.Id);
        var parents = assets.ToFrozenDictionary(a => a.Key, a => a.ParentId is { } p && byId.TryGetValue(p, out var parent) ? parent.Key : null, StringComparer.Ordinal);

        string AreaOf(int assetId, string siteKey)
        {
            int? current = assetId;
            for (var depth = 0; current is { } id && byId.TryGetValue(id, out var asset) && depth < 64; depth++)
            {
                if (asset.Type is AssetType.District or AssetType.Line)
                {
                    return asset.Key;
                }
                current = asset.ParentId;
            }
            // Sensors outside any district or line (a plant's main meter) belong to the site's own area.
            return siteKey;
        }

        string? LineOf(int assetId)
        {
            int? current = assetId;
            for (var depth = 0; current is { } id && byId.TryGetValue(id, out var asset) && depth < 64; depth++)
            {
                if (asset.Type == AssetType.Line)
                {
                    return asset.Key;
                }
                current = asset.ParentId;
            }
            return null;
        }

        var engineSensors = new List<EngineSensor>(sensors.Count);
        var stateSensors = new Dictionary<int, string>();
        foreach (var s in sensors)
        {
            if (!byId.TryGetValue(s.AssetId, out var asset) || !zones.TryGetValue(asset.SiteId, out var site))
            {
                continue;
            }
            var context = new SensorContext(s.Key, s.Metric, s.Unit, s.Min, s.Max, TimeSpan.FromSeconds(s.IntervalSeconds), site.Zone);
            engineSensors.Add(new EngineSensor(s.Id, site.Key, asset.Key, asset.Type, AreaOf(asset.Id, site.Key), context));
            if (s.Metric == MetricKind.MachineState && asset.Type == AssetType.Machine && LineOf(asset.Id) is { } line)
            {
                stateSensors[s.Id] = line;
            }
        }
        return new EngineWorld(engineSensors, parents, stateSensors.ToFrozenDictionary());
    }

    private static TimeZoneInfo ResolveZone(string siteKey, string id, ILogger logger)
    {
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return zone;
        }
        logger.LogWarning("Site {Site} names the unknown time zone {TimeZone}; its rules use UTC for time of day", siteKey, id);
        return TimeZoneInfo.Utc;
    }
}

/// <summary>
/// Whether each production line is stopped, from its machines' machine-state sensors (the simulator's encoding:
/// 0 = down, 1 = idle, 2 = running). A line is stopped when every machine of it that reported is down: idle
/// machines (breaks, micro-stops) still count as a running line, so their alarms stay visible.
/// </summary>
internal sealed class LineStates
{
    private readonly Dictionary<string, Dictionary<int, double>> _states = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stopped = new(StringComparer.Ordinal);

    public IReadOnlySet<string> Stopped => _stopped;

    /// <summary>Takes a machine-state reading; true when its line changed between running and stopped.</summary>
    public bool Update(string line, int sensorId, double value)
    {
        if (!_states.TryGetValue(line, out var machines))
        {
            _states[line] = machines = [];
        }
        machines[sensorId] = value;
        var stopped = machines.Values.All(v => v < 0.5);
        return stopped ? _stopped.Add(line) : _stopped.Remove(line);
    }

    public string? StoppedLineOf(string assetKey, EngineWorld world)
    {
        foreach (var line in _stopped)
        {
            if (world.IsWithin(assetKey, line))
            {
                return line;
            }
        }
        return null;
    }
}
