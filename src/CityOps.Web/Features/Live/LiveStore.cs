using System.Collections.Concurrent;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Live;

/// <summary>A sensor's readings within one minute (aligned to the minute, by reading time).</summary>
public readonly record struct LiveWindow(DateTime Start, int Count, double Min, double Max, double Sum, double Last)
{
    public double Mean => Count == 0 ? double.NaN : Sum / Count;
}

/// <summary>The newest reading of a sensor and its current one-minute window.</summary>
public readonly record struct SensorLiveValue(int SensorId, DateTime Timestamp, double Value, LiveWindow Window);

/// <summary>How a site is reporting right now.</summary>
public readonly record struct SiteLiveStatus(
    int SiteId, double ReadingsPerSecond, int SensorsReporting, int SensorsTotal, DateTime? LastReadingAt, TimeSpan? LastReadingAge)
{
    public int SensorsSilent => SensorsTotal - SensorsReporting;
}

/// <summary>
/// What the screens show live, fed by the ingest writer after each commit: per sensor the newest value
/// and the current one-minute window, per site the arrival rate, how many sensors report and how old the
/// newest reading is. Memory is bounded: one fixed-size record per tracked sensor (at most
/// <see cref="LiveOptions.MaxSensors"/>) and one ring of per-second counters per site.
/// Components subscribe and are called back throttled; <see cref="OnCommitted"/> never waits for them.
/// </summary>
public sealed class LiveStore : IReadingsObserver
{
    private readonly ConcurrentDictionary<int, SensorState> _sensors = new();
    private readonly ConcurrentDictionary<int, SiteRate> _sites = new();
    private readonly ISensorLookup _lookup;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveStore> _logger;
    private readonly LiveOptions _options;
    private readonly Lock _subscribersGate = new();
    private (ThrottledSubscription Subscription, int? SiteId)[] _subscribers = [];
    private int _trackedSensors;
    private int _capacityWarned;

    public LiveStore(ISensorLookup lookup, IOptions<LiveOptions> options, TimeProvider time, ILogger<LiveStore> logger)
    {
        _lookup = lookup;
        _time = time;
        _logger = logger;
        _options = options.Value;
    }

    /// <summary>Sensors with live state; never more than <see cref="LiveOptions.MaxSensors"/>.</summary>
    public int TrackedSensors => Volatile.Read(ref _trackedSensors);

    public void OnCommitted(IReadOnlyList<CommittedReading> readings)
    {
        if (readings.Count == 0)
        {
            return;
        }
        var second = CurrentSecond();
        int? onlySite = null;
        HashSet<int>? sites = null;
        SiteRate? rate = null;
        var pendingForRate = 0;
        foreach (var reading in readings)
        {
            if (!_lookup.TryGet(reading.SensorId, out var info))
            {
                continue;
            }
            var state = GetOrTrack(reading.SensorId);
            state?.Add(reading.Timestamp, reading.Value);

            // Readings of a batch usually come from one site: count them in one step.
            if (rate is null || rate.SiteId != info.SiteId)
            {
                rate?.Add(second, pendingForRate);
                rate = _sites.GetOrAdd(info.SiteId, static (id, n) => new SiteRate(id, n), _options.RateWindowSeconds + 1);
                pendingForRate = 0;
            }
            pendingForRate++;
            if (onlySite is null)
            {
                onlySite = info.SiteId;
            }
            else if (onlySite != info.SiteId)
            {
                (sites ??= [onlySite.Value]).Add(info.SiteId);
            }
        }
        rate?.Add(second, pendingForRate);
        if (onlySite is not null)
        {
            NotifySubscribers(onlySite.Value, sites);
        }
    }

    public bool TryGetSensor(int sensorId, out SensorLiveValue value)
    {
        if (_sensors.TryGetValue(sensorId, out var state))
        {
            value = state.Read();
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>The status of every site that has registered sensors, by site id.</summary>
    public IReadOnlyDictionary<int, SiteLiveStatus> GetSiteStatuses()
    {
        var now = _time.GetUtcNow().UtcDateTime;
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
                var allowed = TimeSpan.FromSeconds(Math.Max(sensor.IntervalSeconds, 1) * _options.ReportingIntervals);
                if (now - new DateTime(last, DateTimeKind.Utc) <= allowed)
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
    public IDisposable Subscribe(Func<Task> callback, int? siteId = null)
    {
        var subscription = new ThrottledSubscription(callback, _options.NotifyInterval, _time, _logger, Unsubscribe);
        lock (_subscribersGate)
        {
            _subscribers = [.. _subscribers, (subscription, siteId)];
        }
        return subscription;
    }

    private void Unsubscribe(ThrottledSubscription subscription)
    {
        lock (_subscribersGate)
        {
            _subscribers = _subscribers.Where(s => s.Subscription != subscription).ToArray();
        }
    }

    private void NotifySubscribers(int site, HashSet<int>? sites)
    {
        foreach (var (subscription, siteId) in Volatile.Read(ref _subscribers))
        {
            if (siteId is null || siteId == site || sites?.Contains(siteId.Value) == true)
            {
                subscription.Notify();
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
        var added = new SensorState(sensorId);
        if (!_sensors.TryAdd(sensorId, added))
        {
            Interlocked.Decrement(ref _trackedSensors);
            return _sensors[sensorId];
        }
        return added;
    }

    private long CurrentSecond() => _time.GetUtcNow().ToUnixTimeSeconds();

    private sealed class SensorState(int sensorId)
    {
        private readonly Lock _gate = new();
        private long _lastTicks;
        private double _lastValue;
        private long _windowStartTicks;
        private int _count;
        private double _min;
        private double _max;
        private double _sum;
        private double _windowLast;

        public long LastTimestampTicks => Volatile.Read(ref _lastTicks);

        public void Add(DateTime timestamp, double value)
        {
            var ticks = timestamp.Ticks;
            var minute = ticks - ticks % TimeSpan.TicksPerMinute;
            lock (_gate)
            {
                if (ticks >= _lastTicks)
                {
                    _lastValue = value;
                    Volatile.Write(ref _lastTicks, ticks);
                }
                if (minute > _windowStartTicks)
                {
                    _windowStartTicks = minute;
                    _count = 0;
                    _sum = 0;
                    _min = double.PositiveInfinity;
                    _max = double.NegativeInfinity;
                }
                else if (minute < _windowStartTicks)
                {
                    // A late reading of an earlier minute: the database's rollups have it; the live window moved on.
                    return;
                }
                _count++;
                _sum += value;
                _min = Math.Min(_min, value);
                _max = Math.Max(_max, value);
                _windowLast = value;
            }
        }

        public SensorLiveValue Read()
        {
            lock (_gate)
            {
                return new SensorLiveValue(sensorId, new DateTime(_lastTicks, DateTimeKind.Utc), _lastValue,
                    new LiveWindow(new DateTime(_windowStartTicks, DateTimeKind.Utc), _count, _min, _max, _sum, _windowLast));
            }
        }
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
