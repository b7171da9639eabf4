using CityOps.Web.Features.Live;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// The standing alarms (every alarm not in <see cref="AlarmState.Normal"/>) in memory, kept current by the alert
/// engine and by operator actions, with throttled subscriptions for screens. Singleton.
/// </summary>
public sealed class AlarmBoard(IOptions<LiveOptions> options, TimeProvider time, ILogger<AlarmBoard> logger)
{
    /// <summary>EEMUA 191: more than this many new alarms in <see cref="FloodWindow"/> in one area is a flood.</summary>
    public const int FloodThreshold = 10;

    public static readonly TimeSpan FloodWindow = TimeSpan.FromMinutes(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<long, AlarmView> _alarms = [];
    private ThrottledSubscription[] _subscribers = [];
    private AlarmView[] _standing = [];

    /// <summary>Standing alarms, highest priority first, then newest first.</summary>
    public IReadOnlyList<AlarmView> Standing() => _standing;

    public AlarmView? Get(long id)
    {
        lock (_gate)
        {
            return _alarms.GetValueOrDefault(id);
        }
    }

    /// <summary>Standing alarms of one asset or any of its descendants / of one sensor.</summary>
    public IReadOnlyList<AlarmView> ForAsset(string assetKey) =>
        _standing.Where(a => a.AssetKey == assetKey || a.AssetKey.StartsWith(assetKey + ".", StringComparison.Ordinal)).ToList();

    public IReadOnlyList<AlarmView> ForSensor(string sensorKey) => _standing.Where(a => a.SensorKey == sensorKey).ToList();

    public IReadOnlyList<AreaFloodStatus> Floods()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return _standing
            .GroupBy(a => a.Area, StringComparer.Ordinal)
            .Select(g =>
            {
                var recent = g.Where(a => a.RaisedAt > now - FloodWindow).OrderBy(a => a.RaisedAt).ToList();
                var flooding = recent.Count > FloodThreshold;
                return new AreaFloodStatus(g.Key, flooding, recent.Count, flooding ? recent[0].RaisedAt : null);
            })
            .OrderBy(f => f.Area, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Calls <paramref name="callback"/> (coalesced, at most every LiveOptions throttle) when any standing alarm changes; dispose to stop.</summary>
    public IDisposable Subscribe(Func<Task> callback)
    {
        var subscription = new ThrottledSubscription(callback, options.Value.NotifyInterval, time, logger, Unsubscribe);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }
        return subscription;
    }

    /// <summary>Puts an alarm on the board as it is now; an alarm back in <see cref="AlarmState.Normal"/> leaves it.</summary>
    public void Apply(AlarmView alarm)
    {
        lock (_gate)
        {
            if (alarm.State == AlarmState.Normal)
            {
                _alarms.Remove(alarm.Id);
            }
            else
            {
                _alarms[alarm.Id] = alarm;
            }
            Publish();
        }
        NotifyAll();
    }

    public void Remove(long id)
    {
        lock (_gate)
        {
            if (!_alarms.Remove(id))
            {
                return;
            }
            Publish();
        }
        NotifyAll();
    }

    // Readers get an immutable sorted snapshot, so screens never lock while they render.
    private void Publish() => _standing = _alarms.Values
        .OrderByDescending(a => a.Priority)
        .ThenByDescending(a => a.RaisedAt)
        .ThenBy(a => a.Id)
        .ToArray();

    private void NotifyAll()
    {
        foreach (var s in _subscribers)
        {
            s.Notify();
        }
    }

    private void Unsubscribe(ThrottledSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = _subscribers.Where(s => s != subscription).ToArray();
        }
    }
}

/// <summary>What operators do to alarms. Every call records who, when and why (alarm events and the audit log).</summary>
public sealed class AlarmOperations
{
    /// <summary>Acknowledges the given alarms; alarms that cannot be acknowledged in their state are skipped. Returns how many changed.</summary>
    public Task<int> AcknowledgeAsync(IReadOnlyCollection<long> alarmIds, string user, string? comment, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Shelves for <paramref name="duration"/> (at most the configured maximum) with a required reason.</summary>
    public Task ShelveAsync(long alarmId, TimeSpan duration, string reason, string user, CancellationToken ct) => throw new NotImplementedException();

    public Task UnshelveAsync(long alarmId, string user, CancellationToken ct) => throw new NotImplementedException();

    public Task SetOutOfServiceAsync(long alarmId, bool outOfService, string reason, string user, CancellationToken ct) => throw new NotImplementedException();

    public Task CommentAsync(long alarmId, string text, string user, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Every transition and comment of the alarm, oldest first.</summary>
    public Task<IReadOnlyList<AlarmEventView>> HistoryAsync(long alarmId, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Any alarm (standing or history) by id.</summary>
    public Task<AlarmView?> FindAsync(long alarmId, CancellationToken ct) => throw new NotImplementedException();
}
