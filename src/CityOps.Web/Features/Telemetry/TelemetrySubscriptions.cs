using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// Who wants which sensors, per connection of this node, so that the flusher can send each connection one batch per
/// flush instead of one message per sensor (200 clients of 50 sensors each receive 10 messages a second instead of
/// hundreds). Kept here rather than in SignalR groups: scaled out, every node's live store holds every node's
/// readings (<see cref="LiveRelay"/>), so no other node needs to know. This class also validates keys and
/// enforces the per-connection limits.
/// </summary>
public sealed class TelemetrySubscriptions(
    SensorCatalog catalog,
    ISiteDirectory sites,
    IOptions<TelemetryOptions> options)
{
    private const int MaxKeysInMessage = 10;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (HashSet<int> Sensors, HashSet<int> Sites)> _connections = [];
    private Interest _interest = Interest.None;

    /// <summary>The connections of this instance subscribed to the sensor directly.</summary>
    public string[] SensorSubscribers(int sensorId) => Volatile.Read(ref _interest).Sensors.GetValueOrDefault(sensorId) ?? [];

    /// <summary>The connections of this instance subscribed to the site.</summary>
    public string[] SiteSubscribers(int siteId) => Volatile.Read(ref _interest).Sites.GetValueOrDefault(siteId) ?? [];

    /// <summary>True when no client of this instance subscribed to anything.</summary>
    public bool IsIdle => Volatile.Read(ref _interest) is { Sensors.Count: 0, Sites.Count: 0 };

    /// <summary>A connection opened; only open connections can subscribe.</summary>
    public void Register(string connectionId)
    {
        lock (_gate)
        {
            _connections.TryAdd(connectionId, ([], []));
        }
    }

    public void SubscribeSensors(string connectionId, string[] sensorKeys)
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
            sensors.UnionWith(added);
            PublishInterest();
        }
    }

    public void UnsubscribeSensors(string connectionId, string[] sensorKeys)
    {
        var ids = ResolveSensors(sensorKeys);
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var connection))
            {
                connection.Sensors.ExceptWith(ids);
                PublishInterest();
            }
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
            PublishInterest();
        }
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
            PublishInterest();
        }
    }

    /// <summary>The connection is gone: its subscriptions no longer count.</summary>
    public void Forget(string connectionId)
    {
        lock (_gate)
        {
            if (_connections.Remove(connectionId))
            {
                PublishInterest();
            }
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

    private (HashSet<int> Sensors, HashSet<int> Sites) Connection(string connectionId) =>
        _connections.TryGetValue(connectionId, out var connection)
            ? connection
            : throw new HubException("The connection is closing.");

    /// <summary>Rebuilds the sensor and site indexes the flusher reads without locking; subscriptions change rarely.</summary>
    private void PublishInterest()
    {
        var sensors = new Dictionary<int, List<string>>();
        var sites = new Dictionary<int, List<string>>();
        foreach (var (connectionId, connection) in _connections)
        {
            foreach (var id in connection.Sensors)
            {
                Add(sensors, id, connectionId);
            }
            foreach (var id in connection.Sites)
            {
                Add(sites, id, connectionId);
            }
        }
        Volatile.Write(ref _interest, new Interest(sensors.ToDictionary(e => e.Key, e => e.Value.ToArray()), sites.ToDictionary(e => e.Key, e => e.Value.ToArray())));

        static void Add(Dictionary<int, List<string>> index, int id, string connectionId)
        {
            if (!index.TryGetValue(id, out var list))
            {
                index[id] = list = [];
            }
            list.Add(connectionId);
        }
    }

    private sealed record Interest(Dictionary<int, string[]> Sensors, Dictionary<int, string[]> Sites)
    {
        public static readonly Interest None = new([], []);
    }
}
