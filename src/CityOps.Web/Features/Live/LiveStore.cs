using System.Collections.Concurrent;
using CityOps.Analytics.Streaming;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Live;

/// <summary>How a site is reporting right now.</summary>
public readonly record struct SiteLiveStatus(
    int SiteId, double ReadingsPerSecond, int SensorsReporting, int SensorsTotal, DateTime? LastReadingAt, TimeSpan? LastReadingAge)
{
    public int SensorsSilent => SensorsTotal - SensorsReporting;
}

/// <summary>
/// What the screens show live, fed by the ingest writer after each commit: per sensor the newest value, the
/// current and last closed windows of 1 s, 1 min and 15 min (by reading time, see <see cref="TumblingWindow"/>
/// for late readings), a sparkline history and its data-quality state; per asset and site roll-ups of their
/// sensors; per site the arrival rate. Memory is bounded: one fixed-size record per tracked sensor (at most
/// <see cref="LiveOptions.MaxSensors"/>) and one ring of per-second counters per site.
/// Components subscribe and are called back throttled; <see cref="OnCommitted"/> never waits for them.
/// </summary>
public sealed class LiveStore : IReadingsObserver
{
    private readonly ConcurrentDictionary<int, SensorState> _sensors = new();
    private readonly ConcurrentDictionary<int, SiteRate> _sites = new();
    private readonly ISensorLookup _lookup;
    private readonly IAssetTree _assets;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveStore> _logger;
    private readonly LiveOptions _options;
    private readonly Lock _subscribersGate = new();
    private Subscribers _subscribers = Subscribers.None;
    private readonly Lock _changedGate = new();
    private HashSet<int> _changed = [];
    private int _trackedSensors;
    private int _capacityWarned;

    public LiveStore(ISensorLookup lookup, IOptions<LiveOptions> options, TimeProvider time, ILogger<LiveStore> logger, IAssetTree? assets = null)
    {
        _lookup = lookup;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _assets = assets ?? FlatAssetTree.Instance;
    }

    /// <summary>The sites that have sent readings since start-up (a snapshot).</summary>
    public IReadOnlyCollection<int> SitesWithReadings => (IReadOnlyCollection<int>)_sites.Keys;

    /// <summary>Sensors with live state; never more than <see cref="LiveOptions.MaxSensors"/>.</summary>
    public int TrackedSensors => Volatile.Read(ref _trackedSensors);

    public void OnCommitted(IReadOnlyList<CommittedReading> readings)
    {
        if (readings.Count == 0)
        {
            return;
        }
        var second = CurrentSecond();
        var subscribers = Volatile.Read(ref _subscribers);
        // Asset subscribers need the assets that changed, sensor subscribers the sensors; each set is built only when
        // someone asks for it (this loop runs for every reading taken in).
        var changedAssets = subscribers.WatchesAssets ? new HashSet<int>() : null;
        var changedSites = new HashSet<int>();
        SiteRate? rate = null;
        var pendingForRate = 0;
        var tracked = System.Buffers.ArrayPool<int>.Shared.Rent(readings.Count);
        var trackedCount = 0;
        foreach (var reading in readings)
        {
            if (!_lookup.TryGet(reading.SensorId, out var info))
            {
                continue;
            }
            if (GetOrTrack(reading.SensorId) is { } state)
            {
                state.Add(reading.Timestamp.Ticks, reading.Value);
                tracked[trackedCount++] = reading.SensorId;
            }
            changedAssets?.Add(info.AssetId);

            // Readings of a batch usually come from one site: count them in one step.
            if (rate is null || rate.SiteId != info.SiteId)
            {
                rate?.Add(second, pendingForRate);
                rate = _sites.GetOrAdd(info.SiteId, static (id, n) => new SiteRate(id, n), _options.RateWindowSeconds + 1);
                pendingForRate = 0;
                changedSites.Add(info.SiteId);
            }
            pendingForRate++;
        }
        rate?.Add(second, pendingForRate);
        if (trackedCount > 0)
        {
            lock (_changedGate)
            {
                foreach (var id in tracked.AsSpan(0, trackedCount))
                {
                    _changed.Add(id);
                }
            }
        }
        if (changedSites.Count > 0)
        {
            Notify(subscribers, changedSites, changedAssets, tracked.AsSpan(0, trackedCount));
        }
        System.Buffers.ArrayPool<int>.Shared.Return(tracked);
    }

    /// <summary>
    /// Sets the newest value of sensors from stored readings (at start-up), where the store has nothing newer;
    /// windows are left alone because they would hold one of their readings only.
    /// </summary>
    public void Seed(IEnumerable<CommittedReading> latest)
    {
        foreach (var reading in latest)
        {
            if (_lookup.TryGet(reading.SensorId, out _) && GetOrTrack(reading.SensorId) is { } state)
            {
                state.Seed(reading.Timestamp.Ticks, reading.Value);
            }
        }
    }

    /// <summary>The sensor now, or null if it is not registered. A registered sensor without readings is <see cref="LiveState.Offline"/>.</summary>
    public SensorSnapshot? GetSensor(int sensorId)
    {
        if (!_lookup.TryGet(sensorId, out var info))
        {
            return null;
        }
        var now = Now();
        if (!_sensors.TryGetValue(sensorId, out var state))
        {
            var (offline, issue) = SensorQuality.Evaluate(info, null, null, false, now, _options);
            return new SensorSnapshot(sensorId, info.Key, info.Unit, null, null, offline, issue, null, null, null, null, null, null);
        }
        return state.Snapshot(info, now, _options);
    }

    /// <summary>The sparkline history of a sensor (the last <see cref="LiveOptions.HistoryPoints"/> × <see cref="LiveOptions.HistoryResolution"/>), oldest first.</summary>
    public IReadOnlyList<(DateTime Ts, double Value)> GetHistory(int sensorId)
    {
        if (!_sensors.TryGetValue(sensorId, out var state))
        {
            return [];
        }
        var since = Now() - _options.HistoryResolution * _options.HistoryPoints;
        return state.History(since.Ticks);
    }

    /// <summary>
    /// The window of <paramref name="size"/> holding the sensor's newest reading time, whether or not the clock
    /// has passed its end (what the telemetry hub sends after readings arrive).
    /// </summary>
    public bool TryGetNewestWindow(int sensorId, WindowSize size, out WindowAggregate window)
    {
        if (_sensors.TryGetValue(sensorId, out var state) && state.NewestWindow(size) is { } w)
        {
            window = w;
            return true;
        }
        window = default;
        return false;
    }

    /// <summary>The roll-up of the sensors of an asset and of all assets below it.</summary>
    public GroupLiveStatus GetAsset(int assetId) => Rollup(s => _assets.IsWithin(s.AssetId, assetId));

    /// <summary>The roll-up of the sensors of a site.</summary>
    public GroupLiveStatus GetSite(int siteId) => Rollup(s => s.SiteId == siteId);

    /// <summary>The status of every site that has registered sensors, by site id.</summary>
    public IReadOnlyDictionary<int, SiteLiveStatus> GetSiteStatuses()
    {
        var now = Now();
        var second = CurrentSecond();
        var totals = new Dictionary<int, (int Total, int Reporting, long LastTicks)>();
        foreach (var sensor in _lookup.All)
        {
            totals.TryGetValue(sensor.SiteId, out var t);
            t.Total++;
            if (_sensors.TryGetValue(sensor.Id, out var state))
            {
                var last = state.LastTimestampTicks;
                t.LastTicks = Math.Max(t.LastTicks, last);
                if (SensorQuality.IsReporting(sensor, new DateTime(last, DateTimeKind.Utc), now, _options))
                {
                    t.Reporting++;
                }
            }
            totals[sensor.SiteId] = t;
        }
        var result = new Dictionary<int, SiteLiveStatus>(totals.Count);
        foreach (var (siteId, t) in totals)
        {
            var rate = _sites.TryGetValue(siteId, out var r) ? r.PerSecond(second, _options.RateWindowSeconds) : 0;
            DateTime? last = t.LastTicks > 0 ? new DateTime(t.LastTicks, DateTimeKind.Utc) : null;
            TimeSpan? age = last is { } l ? (now > l ? now - l : TimeSpan.Zero) : null;
            result[siteId] = new SiteLiveStatus(siteId, rate, t.Reporting, t.Total, last, age);
        }
        return result;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> after readings arrive (for one site, or any), at most once per
    /// <see cref="LiveOptions.NotifyInterval"/>. Dispose the result to stop.
    /// </summary>
    public IDisposable Subscribe(Func<Task> callback, int? siteId = null) => Add(callback, siteId is { } s ? new Interest.Site(s) : new Interest.All());

    /// <inheritdoc cref="Subscribe(Func{Task}, int?)"/>
    public IDisposable Subscribe(Action callback, int? siteId = null) => Subscribe(Wrap(callback), siteId);

    /// <summary>
    /// Calls <paramref name="callback"/> after readings of any of the sensors arrive or one of them changes state
    /// (goes stale, offline …), at most once per <see cref="LiveOptions.NotifyInterval"/>. Dispose the result to stop.
    /// </summary>
    public IDisposable SubscribeSensors(IReadOnlyCollection<int> sensorIds, Func<Task> callback) =>
        Add(callback, new Interest.Sensors(sensorIds.ToHashSet()));

    /// <inheritdoc cref="SubscribeSensors(IReadOnlyCollection{int}, Func{Task})"/>
    public IDisposable SubscribeSensors(IReadOnlyCollection<int> sensorIds, Action callback) => SubscribeSensors(sensorIds, Wrap(callback));

    /// <summary>
    /// Calls <paramref name="callback"/> after readings of a sensor of the asset or of an asset below it arrive, or one
    /// of them changes state, at most once per <see cref="LiveOptions.NotifyInterval"/>. Dispose the result to stop.
    /// </summary>
    public IDisposable SubscribeAsset(int assetId, Func<Task> callback) => Add(callback, new Interest.Asset(assetId));

    /// <inheritdoc cref="SubscribeAsset(int, Func{Task})"/>
    public IDisposable SubscribeAsset(int assetId, Action callback) => SubscribeAsset(assetId, Wrap(callback));

    /// <summary>
    /// Moves the ids of the sensors that received readings since the last call into <paramref name="into"/>.
    /// For one consumer (the telemetry hub's flusher).
    /// </summary>
    public void TakeChangedSensors(List<int> into)
    {
        HashSet<int> taken;
        lock (_changedGate)
        {
            if (_changed.Count == 0)
            {
                return;
            }
            taken = _changed;
            _changed = new HashSet<int>(taken.Count);
        }
        into.AddRange(taken);
    }

    /// <summary>
    /// Re-evaluates the state of tracked sensors against the clock and tells the subscribers of those whose state
    /// changed without a reading (stale, offline). Called every <see cref="LiveOptions.StateCheckInterval"/>.
    /// </summary>
    public void CheckStates()
    {
        if (Volatile.Read(ref _subscribers).IsEmpty)
        {
            return;
        }
        var now = Now();
        HashSet<int>? sensors = null;
        HashSet<int>? sites = null;
        HashSet<int>? assets = null;
        foreach (var (id, state) in _sensors)
        {
            if (_lookup.TryGet(id, out var info) && state.StateChanged(info, now, _options))
            {
                (sensors ??= []).Add(id);
                (sites ??= []).Add(info.SiteId);
                (assets ??= []).Add(info.AssetId);
            }
        }
        if (sensors is not null)
        {
            Notify(Volatile.Read(ref _subscribers), sites!, assets, [.. sensors]);
        }
    }

    private GroupLiveStatus Rollup(Func<SensorInfo, bool> member)
    {
        var now = Now();
        int total = 0, reporting = 0, stale = 0, abnormal = 0, offline = 0;
        var worst = LiveState.Normal;
        foreach (var sensor in _lookup.All)
        {
            if (!member(sensor))
            {
                continue;
            }
            total++;
            var (lastTs, lastValue, flat) = _sensors.TryGetValue(sensor.Id, out var state) ? state.Latest(sensor, _options) : (null, null, false);
            if (SensorQuality.IsReporting(sensor, lastTs, now, _options))
            {
                reporting++;
            }
            var (s, _) = SensorQuality.Evaluate(sensor, lastTs, lastValue, flat, now, _options);
            switch (s)
            {
                case LiveState.Stale: stale++; break;
                case LiveState.Abnormal: abnormal++; break;
                case LiveState.Offline: offline++; break;
            }
            worst = s > worst ? s : worst;
        }
        return total == 0 ? GroupLiveStatus.Empty : new GroupLiveStatus(total, reporting, stale, abnormal, offline, worst);
    }

    private static Func<Task> Wrap(Action callback) => () =>
    {
        callback();
        return Task.CompletedTask;
    };

    private ThrottledSubscription Add(Func<Task> callback, Interest interest)
    {
        var subscription = new ThrottledSubscription(callback, _options.NotifyInterval, _time, _logger, Unsubscribe);
        lock (_subscribersGate)
        {
            _subscribers = _subscribers.With(subscription, interest);
        }
        return subscription;
    }

    private void Unsubscribe(ThrottledSubscription subscription)
    {
        lock (_subscribersGate)
        {
            _subscribers = _subscribers.Without(subscription);
        }
    }

    /// <summary>Tells the subscribers interested in what changed; <paramref name="assets"/> may be null when nobody watches assets.</summary>
    private void Notify(Subscribers subscribers, HashSet<int> sites, HashSet<int>? assets, ReadOnlySpan<int> sensors)
    {
        foreach (var (subscription, interest) in subscribers.Others)
        {
            var wanted = interest switch
            {
                Interest.All => true,
                Interest.Site site => sites.Contains(site.Id),
                Interest.Asset asset => assets!.Any(a => _assets.IsWithin(a, asset.Id)),
                _ => false,
            };
            if (wanted)
            {
                subscription.Notify();
            }
        }
        if (subscribers.BySensor.Count == 0)
        {
            return;
        }
        foreach (var sensor in sensors)
        {
            // Notify is idempotent until the subscription's next callback, so a sensor seen twice costs a lookup only.
            if (subscribers.BySensor.TryGetValue(sensor, out var forSensor))
            {
                foreach (var subscription in forSensor)
                {
                    subscription.Notify();
                }
            }
        }
    }

    private SensorState? GetOrTrack(int sensorId)
    {
        if (_sensors.TryGetValue(sensorId, out var state))
        {
            return state;
        }
        if (Interlocked.Increment(ref _trackedSensors) > _options.MaxSensors)
        {
            Interlocked.Decrement(ref _trackedSensors);
            if (Interlocked.Exchange(ref _capacityWarned, 1) == 0)
            {
                _logger.LogWarning("The live store tracks its limit of {MaxSensors} sensors (Live:MaxSensors); further sensors are stored but not shown live", _options.MaxSensors);
            }
            return null;
        }
        var added = new SensorState(sensorId, _options);
        if (!_sensors.TryAdd(sensorId, added))
        {
            Interlocked.Decrement(ref _trackedSensors);
            return _sensors[sensorId];
        }
        return added;
    }

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;

    private long CurrentSecond() => _time.GetUtcNow().ToUnixTimeSeconds();

    private abstract record Interest
    {
        public sealed record All : Interest;

        public sealed record Site(int Id) : Interest;

        public sealed record Asset(int Id) : Interest;

        public sealed record Sensors(HashSet<int> Ids) : Interest;
    }

    /// <summary>An immutable set of subscriptions, replaced whole on (un)subscribe so notifiers never lock; sensor subscriptions indexed by sensor.</summary>
    private sealed class Subscribers(
        (ThrottledSubscription Subscription, Interest Interest)[] all,
        (ThrottledSubscription Subscription, Interest Interest)[] others,
        Dictionary<int, ThrottledSubscription[]> bySensor)
    {
        public static readonly Subscribers None = new([], [], []);

        public bool IsEmpty => all.Length == 0;

        public bool WatchesAssets { get; } = others.Any(s => s.Interest is Interest.Asset);

        public (ThrottledSubscription Subscription, Interest Interest)[] Others => others;

        public Dictionary<int, ThrottledSubscription[]> BySensor => bySensor;

        public Subscribers With(ThrottledSubscription subscription, Interest interest) => Build([.. all, (subscription, interest)]);

        public Subscribers Without(ThrottledSubscription subscription) => Build(all.Where(s => s.Subscription != subscription).ToArray());

        private static Subscribers Build((ThrottledSubscription Subscription, Interest Interest)[] all)
        {
            var bySensor = all.Select(s => (s.Subscription, Ids: (s.Interest as Interest.Sensors)?.Ids))
                .Where(s => s.Ids is not null)
                .SelectMany(s => s.Ids!.Select(id => (Id: id, s.Subscription)))
                .GroupBy(s => s.Id)
                .ToDictionary(g => g.Key, g => g.Select(s => s.Subscription).ToArray());
            return new Subscribers(all, all.Where(s => s.Interest is not Interest.Sensors).ToArray(), bySensor);
        }
    }

    private sealed class SensorState(int sensorId, LiveOptions options)
    {
        private readonly Lock _gate = new();
        private readonly HistoryRing _history = new(options.HistoryPoints, options.HistoryResolution);
        private TumblingWindow _second = new(TimeSpan.TicksPerSecond);
        private TumblingWindow _minute = new(TimeSpan.TicksPerMinute);
        private TumblingWindow _quarter = new(TimeSpan.TicksPerMinute * 15);
        private FlatlineTracker _flatline;
        private long _lastTicks;
        private double _lastValue;
        private LiveState _lastCheckedState = LiveState.Offline;

        public long LastTimestampTicks => Volatile.Read(ref _lastTicks);

        public void Add(long ticks, double value)
        {
            lock (_gate)
            {
                if (ticks >= _lastTicks)
                {
                    _lastValue = value;
                    Volatile.Write(ref _lastTicks, ticks);
                    _flatline.Add(ticks, value);
                }
                _second.Add(ticks, value);
                _minute.Add(ticks, value);
                _quarter.Add(ticks, value);
                _history.Add(ticks, value);
            }
        }

        public void Seed(long ticks, double value)
        {
            lock (_gate)
            {
                if (ticks > _lastTicks)
                {
                    _lastValue = value;
                    Volatile.Write(ref _lastTicks, ticks);
                    _history.Add(ticks, value);
                }
            }
        }

        public (DateTime? LastTs, double? LastValue, bool Flat) Latest(SensorInfo info, LiveOptions o)
        {
            lock (_gate)
            {
                return LatestLocked(info, o);
            }
        }

        public SensorSnapshot Snapshot(SensorInfo info, DateTime now, LiveOptions o)
        {
            lock (_gate)
            {
                var (lastTs, lastValue, flat) = LatestLocked(info, o);
                var (state, issue) = SensorQuality.Evaluate(info, lastTs, lastValue, flat, now, o);
                var (s1, l1) = _second.View(now.Ticks);
                var (m1, lm1) = _minute.View(now.Ticks);
                var (q1, lq1) = _quarter.View(now.Ticks);
                return new SensorSnapshot(sensorId, info.Key, info.Unit, lastTs, lastValue, state, issue,
                    ToAggregate(s1), ToAggregate(l1), ToAggregate(m1), ToAggregate(lm1), ToAggregate(q1), ToAggregate(lq1));
            }
        }

        public WindowAggregate? NewestWindow(WindowSize size)
        {
            lock (_gate)
            {
                var current = size switch
                {
                    WindowSize.OneSecond => _second.Current,
                    WindowSize.OneMinute => _minute.Current,
                    _ => _quarter.Current,
                };
                return current.IsEmpty ? null : ToAggregate(current);
            }
        }

        public List<(DateTime Ts, double Value)> History(long sinceTicks)
        {
            lock (_gate)
            {
                return _history.ToList(sinceTicks);
            }
        }

        /// <summary>True when the state differs from the one seen at the previous check.</summary>
        public bool StateChanged(SensorInfo info, DateTime now, LiveOptions o)
        {
            lock (_gate)
            {
                var (lastTs, lastValue, flat) = LatestLocked(info, o);
                var (state, _) = SensorQuality.Evaluate(info, lastTs, lastValue, flat, now, o);
                var changed = state != _lastCheckedState;
                _lastCheckedState = state;
                return changed;
            }
        }

        private (DateTime? LastTs, double? LastValue, bool Flat) LatestLocked(SensorInfo info, LiveOptions o)
        {
            if (_lastTicks == 0)
            {
                return (null, null, false);
            }
            var flat = _flatline.IsFlat(o.FlatlineReadings, SensorQuality.ExpectedInterval(info) * o.FlatlineIntervals);
            return (new DateTime(_lastTicks, DateTimeKind.Utc), _lastValue, flat);
        }

        private static WindowAggregate? ToAggregate(WindowAccumulator? window) =>
            window is { } w ? new WindowAggregate(new DateTime(w.StartTicks, DateTimeKind.Utc), w.Count, w.Min, w.Max, w.Mean, w.Last, new DateTime(w.LastTicks, DateTimeKind.Utc)) : null;
    }

    /// <summary>Readings per arrival second in a ring of the last few seconds.</summary>
    private sealed class SiteRate(int siteId, int slots)
    {
        private readonly Lock _gate = new();
        private readonly long[] _seconds = new long[slots];
        private readonly int[] _counts = new int[slots];

        public int SiteId { get; } = siteId;

        public void Add(long second, int count)
        {
            var slot = (int)(second % _seconds.Length);
            lock (_gate)
            {
                if (_seconds[slot] != second)
                {
                    _seconds[slot] = second;
                    _counts[slot] = 0;
                }
                _counts[slot] += count;
            }
        }

        /// <summary>The mean over the last <paramref name="window"/> complete seconds (the current one is still filling).</summary>
        public double PerSecond(long now, int window)
        {
            long total = 0;
            lock (_gate)
            {
                for (var i = 0; i < _seconds.Length; i++)
                {
                    if (_seconds[i] < now && _seconds[i] >= now - window)
                    {
                        total += _counts[i];
                    }
                }
            }
            return (double)total / window;
        }
    }
}
