using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// Who wants which sensors. Membership lives in SignalR groups (<c>sensor:{id}</c>, <c>site:{id}</c>), which a
/// Redis backplane shares between instances; this class validates keys, enforces the per-connection limits and
/// knows which sensors and sites have subscribers on this instance, so the flusher skips the others.
/// Scaled out, another instance's clients may want any sensor, so nothing is skipped.
/// </summary>
public sealed class TelemetrySubscriptions(
    SensorCatalog catalog,
    ISiteDirectory sites,
    IHubContext<TelemetryHub> hub,
    IOptions<TelemetryOptions> options,
    TelemetryScaleOut scaleOut)
{
    private const int MaxKeysInMessage = 10;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (HashSet<int> Sensors, HashSet<int> Sites)> _connections = [];
    private readonly Dictionary<int, int> _sensorCounts = [];
    private readonly Dictionary<int, int> _siteCounts = [];
    private Interest _interest = new([], []);

    public static string SensorGroup(int sensorId) => $"sensor:{sensorId}";

    public static string SiteGroup(int siteId) => $"site:{siteId}";

    /// <summary>True when some client (here, or anywhere when scaled out) may want this sensor's aggregates directly.</summary>
    public bool WantsSensor(int sensorId) => scaleOut.Enabled || Volatile.Read(ref _interest).Sensors.Contains(sensorId);

    /// <summary>True when some client may want the aggregates of this site's sensors.</summary>
    public bool WantsSite(int siteId) => scaleOut.Enabled || Volatile.Read(ref _interest).Sites.Contains(siteId);

    /// <summary>True when no client of this instance subscribed to anything (and it is not scaled out).</summary>
    public bool IsIdle => !scaleOut.Enabled && Volatile.Read(ref _interest) is { Sensors.Count: 0, Sites.Count: 0 };

    public async Task SubscribeSensorsAsync(string connectionId, string[] sensorKeys, CancellationToken cancellationToken)
    {
        var ids = ResolveSensors(sensorKeys);
        List<int> added;
        lock (_gate)
        {
            var (sensors, _) = Connection(connectionId);
            added = ids.Where(id => !sensors.Contains(id)).Distinct().ToList();
            if (sensors.Count + added.Count > options.Value.MaxSensorsPerConnection)
            {
                throw new HubException(
                    $"A connection may subscribe to at most {options.Value.MaxSensorsPerConnection} sensors; it has {sensors.Count} and asked for {added.Count} more.");
            }
            foreach (var id in added)
            {
                sensors.Add(id);
                Increment(_sensorCounts, id);
            }
            PublishInterest();
        }
        foreach (var id in added)
        {
            await hub.Groups.AddToGroupAsync(connectionId, SensorGroup(id), cancellationToken);
        }
    }

    public async Task UnsubscribeSensorsAsync(string connectionId, string[] sensorKeys, CancellationToken cancellationToken)
    {
        var ids = ResolveSensors(sensorKeys);
        var removed = new List<int>();
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var connection))
            {
                foreach (var id in ids.Distinct())
                {
                    if (connection.Sensors.Remove(id))
                    {
                        Decrement(_sensorCounts, id);
                        removed.Add(id);
                    }
                }
                PublishInterest();
            }
        }
        foreach (var id in removed)
        {
            await hub.Groups.RemoveFromGroupAsync(connectionId, SensorGroup(id), cancellationToken);
        }
    }

    public async Task SubscribeSiteAsync(string connectionId, string siteKey, CancellationToken cancellationToken)
    {
        var siteId = await ResolveSiteAsync(siteKey, cancellationToken);
        lock (_gate)
        {
            var (_, connectionSites) = Connection(connectionId);
            if (connectionSites.Contains(siteId))
            {
                return;
            }
            if (connectionSites.Count >= options.Value.MaxSitesPerConnection)
            {
                throw new HubException($"A connection may subscribe to at most {options.Value.MaxSitesPerConnection} sites.");
            }
            connectionSites.Add(siteId);
            Increment(_siteCounts, siteId);
            PublishInterest();
        }
        await hub.Groups.AddToGroupAsync(connectionId, SiteGroup(siteId), cancellationToken);
    }

    public async Task UnsubscribeSiteAsync(string connectionId, string siteKey, CancellationToken cancellationToken)
    {
        var siteId = await ResolveSiteAsync(siteKey, cancellationToken);
        lock (_gate)
        {
            if (!_connections.TryGetValue(connectionId, out var connection) || !connection.Sites.Remove(siteId))
            {
                return;
            }
            Decrement(_siteCounts, siteId);
            PublishInterest();
        }
        await hub.Groups.RemoveFromGroupAsync(connectionId, SiteGroup(siteId), cancellationToken);
    }

    /// <summary>The connection is gone: its subscriptions no longer count.</summary>
    public void Forget(string connectionId)
    {
        lock (_gate)
        {
            if (!_connections.Remove(connectionId, out var connection))
            {
                return;
            }
            foreach (var id in connection.Sensors)
            {
                Decrement(_sensorCounts, id);
            }
            foreach (var id in connection.Sites)
            {
                Decrement(_siteCounts, id);
            }
            PublishInterest();
        }
    }

    private List<int> ResolveSensors(string[]? keys)
    {
        if (keys is null || keys.Length == 0)
        {
            throw new HubException("Give at least one sensor key.");
        }
        var ids = new List<int>(keys.Length);
        var unknown = new List<string>();
        foreach (var key in keys)
        {
            if (key is not null && catalog.TryGet(key, out SensorInfo info))
            {
                ids.Add(info.Id);
            }
            else
            {
                unknown.Add(key ?? "(null)");
            }
        }
        if (unknown.Count > 0)
        {
            var shown = string.Join(", ", unknown.Take(MaxKeysInMessage));
            var more = unknown.Count > MaxKeysInMessage ? $" and {unknown.Count - MaxKeysInMessage} more" : "";
            throw new HubException($"Unknown sensor key(s): {shown}{more}. Nothing was changed.");
        }
        return ids;
    }

    private async Task<int> ResolveSiteAsync(string? siteKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(siteKey))
        {
            throw new HubException("Give a site key.");
        }
        foreach (var sensor in catalog.All)
        {
            if (sensor.SiteKey == siteKey)
            {
                return sensor.SiteId;
            }
        }
        // A site without sensors yet is still a site one may wait on.
        var site = (await sites.ListAsync(cancellationToken)).FirstOrDefault(s => s.Key == siteKey);
        return site?.Id ?? throw new HubException($"Unknown site key: {siteKey}.");
    }

    private (HashSet<int> Sensors, HashSet<int> Sites) Connection(string connectionId)
    {
        if (!_connections.TryGetValue(connectionId, out var connection))
        {
            connection = ([], []);
            _connections[connectionId] = connection;
        }
        return connection;
    }

    private static void Increment(Dictionary<int, int> counts, int id) => counts[id] = counts.GetValueOrDefault(id) + 1;

    private static void Decrement(Dictionary<int, int> counts, int id)
    {
        if (counts.TryGetValue(id, out var count) && count > 1)
        {
            counts[id] = count - 1;
        }
        else
        {
            counts.Remove(id);
        }
    }

    private void PublishInterest() => Volatile.Write(ref _interest, new Interest([.. _sensorCounts.Keys], [.. _siteCounts.Keys]));

    private sealed record Interest(HashSet<int> Sensors, HashSet<int> Sites);
}

/// <summary>Whether instances share hub groups through a Redis backplane.</summary>
public sealed record TelemetryScaleOut(bool Enabled);
