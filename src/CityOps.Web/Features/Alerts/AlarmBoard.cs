using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// The standing alarms (every alarm not in <see cref="AlarmState.Normal"/>) in memory, kept current by the alert
/// engine and by operator actions, with throttled subscriptions for screens. Singleton.
/// </summary>
/// <remarks>
/// Memory is bounded by the number of standing alarms (at most one per rule binding) plus one timestamp per alarm
/// raised within the flood window per area. Writers are the engine and <see cref="AlarmOperations"/>, serialised by
/// <see cref="AlarmWriteGate"/>; readers never wait for them.
/// </remarks>
public sealed class AlarmBoard
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, AlarmView> _standing = [];
    private readonly Dictionary<(string RuleKey, string SourceKey), long> _byBinding = [];
    private readonly List<ThrottledSubscription> _subscriptions = [];
    private readonly List<Action<IReadOnlyList<AlarmView>>> _listeners = [];
    private readonly TimeProvider _time;
    private readonly TimeSpan _notifyInterval;
    private readonly ILogger _logger;
    private IReadOnlyList<AlarmView>? _sorted;
    private IReadOnlyDictionary<string, string?> _assetParents = new Dictionary<string, string?>();
    private IReadOnlyList<AreaFloodStatus> _floodStatus = [];

    public AlarmBoard(TimeProvider? time = null, IOptions<LiveOptions>? live = null, ILogger<AlarmBoard>? logger = null)
    {
        _time = time ?? TimeProvider.System;
        _notifyInterval = (live?.Value ?? new LiveOptions()).NotifyInterval;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Standing alarms, highest priority first, then newest first.</summary>
    public IReadOnlyList<AlarmView> Standing()
    {
        lock (_gate)
        {
            return _sorted ??= _standing.Values
                .OrderByDescending(a => a.Priority)
                .ThenByDescending(a => a.RaisedAt)
                .ThenByDescending(a => a.Id)
                .ToArray();
        }
    }

    public AlarmView? Get(long id)
    {
        lock (_gate)
        {
            return _standing.GetValueOrDefault(id);
        }
    }

    /// <summary>The standing alarm of a (rule, source) binding, if any.</summary>
    public AlarmView? Get(string ruleKey, string sourceKey)
    {
        lock (_gate)
        {
            return _byBinding.TryGetValue((ruleKey, sourceKey), out var id) ? _standing[id] : null;
        }
    }

    /// <summary>Standing alarms of one asset or any of its descendants / of one sensor.</summary>
    public IReadOnlyList<AlarmView> ForAsset(string assetKey)
    {
        var parents = Volatile.Read(ref _assetParents);
        return Standing().Where(a => IsWithin(a.AssetKey, assetKey, parents)).ToArray();
    }

    public IReadOnlyList<AlarmView> ForSensor(string sensorKey) => Standing().Where(a => a.SensorKey == sensorKey).ToArray();

    /// <summary>Every area that has had an alarm within the flood window, as the engine's flood monitor counted it.</summary>
    public IReadOnlyList<AreaFloodStatus> Floods() => Volatile.Read(ref _floodStatus);

    /// <summary>Calls <paramref name="callback"/> (coalesced, at most every LiveOptions throttle) when any standing alarm changes; dispose to stop.</summary>
    public IDisposable Subscribe(Func<Task> callback)
    {
        ThrottledSubscription? subscription = null;
        subscription = new ThrottledSubscription(callback, _notifyInterval, _time, _logger, s =>
        {
            lock (_gate)
            {
                _subscriptions.Remove(s);
            }
        });
        lock (_gate)
        {
            _subscriptions.Add(subscription);
        }
        return subscription;
    }

    /// <summary>
    /// Calls <paramref name="listener"/> synchronously with every batch of changed alarms (alarms that became
    /// <see cref="AlarmState.Normal"/> included, so a receiver can drop them), on the writer's thread: it must only
    /// hand the batch on. For pushes that must not wait for a throttle (the telemetry hub).
    /// </summary>
    public IDisposable Watch(Action<IReadOnlyList<AlarmView>> listener)
    {
        lock (_gate)
        {
            _listeners.Add(listener);
        }
        return new Unwatch(this, listener);
    }

    /// <summary>Replaces every standing alarm (at start-up, from the database).</summary>
    public void Load(IEnumerable<AlarmView> standing)
    {
        lock (_gate)
        {
            _standing.Clear();
            _byBinding.Clear();
            foreach (var alarm in standing.Where(a => a.State != AlarmState.Normal))
            {
                _standing[alarm.Id] = alarm;
                _byBinding[(alarm.RuleKey, alarm.SourceKey)] = alarm.Id;
            }
            _sorted = null;
        }
        NotifySubscribers();
    }

    /// <summary>Takes the new state of changed alarms; alarms now <see cref="AlarmState.Normal"/> leave the board.</summary>
    public void Apply(IReadOnlyList<AlarmView> changed)
    {
        if (changed.Count == 0)
        {
            return;
        }
        Action<IReadOnlyList<AlarmView>>[] listeners;
        lock (_gate)
        {
            foreach (var alarm in changed)
            {
                if (alarm.State == AlarmState.Normal)
                {
                    if (_standing.Remove(alarm.Id))
                    {
                        _byBinding.Remove((alarm.RuleKey, alarm.SourceKey));
                    }
                }
                else
                {
                    _standing[alarm.Id] = alarm;
                    _byBinding[(alarm.RuleKey, alarm.SourceKey)] = alarm.Id;
                }
            }
            _sorted = null;
            listeners = _listeners.ToArray();
        }
        foreach (var listener in listeners)
        {
            try
            {
                listener(changed);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "An alarm change listener failed");
            }
        }
        NotifySubscribers();
    }

    /// <summary>Takes the engine's flood monitor's view of every area; subscribers are told when a flood starts or ends.</summary>
    public void PublishFloods(IReadOnlyDictionary<string, FloodStatus> areas)
    {
        var next = areas.OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a => new AreaFloodStatus(a.Key, a.Value.Flooding, a.Value.Count, a.Value.Since))
            .ToArray();
        var previous = Interlocked.Exchange(ref _floodStatus, next);
        if (!previous.Where(f => f.Flooding).Select(f => f.Area).SequenceEqual(next.Where(f => f.Flooding).Select(f => f.Area)))
        {
            NotifySubscribers();
        }
    }

    /// <summary>The asset hierarchy by key (child → parent), for <see cref="ForAsset"/>.</summary>
    public void SetAssetParents(IReadOnlyDictionary<string, string?> parents) => Volatile.Write(ref _assetParents, parents);

    private static bool IsWithin(string assetKey, string ancestorKey, IReadOnlyDictionary<string, string?> parents)
    {
        string? current = assetKey;
        // The depth bound guards against a cycle written by hand into the database.
        for (var depth = 0; current is not null && depth < 64; depth++)
        {
            if (current == ancestorKey)
            {
                return true;
            }
            current = parents.GetValueOrDefault(current);
        }
        return false;
    }

    private void NotifySubscribers()
    {
        ThrottledSubscription[] subscriptions;
        lock (_gate)
        {
            subscriptions = _subscriptions.ToArray();
        }
        foreach (var subscription in subscriptions)
        {
            subscription.Notify();
        }
    }

    private sealed class Unwatch(AlarmBoard board, Action<IReadOnlyList<AlarmView>> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (board._gate)
            {
                board._listeners.Remove(listener);
            }
        }
    }
}

/// <summary>
/// Serialises every read-modify-write of alarm rows (the engine's signals and operators' actions), so an
/// acknowledgement and a clear of the same alarm cannot overwrite each other.
/// </summary>
public sealed class AlarmWriteGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        return new Releaser(_gate);
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
