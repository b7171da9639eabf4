using CityOps.Analytics.Streaming;

namespace CityOps.Analytics.Alerts;

public sealed partial record DataQualityParameters
{
    /// <summary>No reading for this many expected intervals is stale data; null turns the check off.</summary>
    public double? StaleIntervals { get; init; } = 5;

    /// <summary>Stale data is never declared before this long without a reading (so fast sensors do not go stale on a short network hiccup).</summary>
    public TimeSpan StaleMinimum { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Identical readings for at least this long (and <see cref="FlatlineReadings"/>) is a stuck sensor; null turns the check off.</summary>
    public TimeSpan? FlatlineDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A stuck sensor repeats at least this many identical readings.</summary>
    public int FlatlineReadings { get; init; } = 10;

    /// <summary>Readings outside the sensor's physical range (ValidMin..ValidMax) are reported.</summary>
    public bool CheckRange { get; init; } = true;
}

/// <summary>
/// Is the data trustworthy? Stale (the sensor stopped reporting, raised by <see cref="Evaluate"/> as time
/// passes), flatline (a stuck transmitter repeats one value) and physically impossible values. Operators
/// need to know that an instrument is blind before they trust its other alarms.
/// </summary>
public sealed class DataQualityDetector : IDetector
{
    private readonly DataQualityParameters _p;
    private readonly SensorContext _s;
    private readonly long _staleAfter;

    private FlatlineTracker _flat;
    private long _firstSeen = -1;
    private long _lastTicks = -1;
    private double _lastValue = double.NaN;

    public DataQualityDetector(DataQualityParameters p, SensorContext s)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        if (p.StaleIntervals <= 0 || p.FlatlineDuration < TimeSpan.Zero || p.FlatlineReadings < 2 || p.StaleMinimum < TimeSpan.Zero)
        {
            throw new ArgumentException("Stale intervals must be positive, the flatline duration non-negative and the flatline count at least 2.", nameof(p));
        }
        _p = p;
        _s = s;
        _staleAfter = p.StaleIntervals is { } n ? Math.Max((long)(n * s.ExpectedInterval.Ticks), p.StaleMinimum.Ticks) : long.MaxValue;
    }

    public Detection Update(DateTime timestamp, double value)
    {
        var ticks = timestamp.Ticks;
        if (_firstSeen < 0)
        {
            _firstSeen = ticks;
        }
        if (ticks < _lastTicks)
        {
            // A late reading says nothing new about staleness or a run of identical values.
            return Evaluate(new DateTime(_lastTicks, DateTimeKind.Utc));
        }
        _lastTicks = ticks;
        _lastValue = value;
        _flat.Add(ticks, value);
        return Conclude(ticks);
    }

    public Detection Evaluate(DateTime now)
    {
        if (_firstSeen < 0)
        {
            // Never heard of: time counts from the first look, so a sensor that is dead at start-up is reported too.
            _firstSeen = now.Ticks;
        }
        return Conclude(now.Ticks);
    }

    private Detection Conclude(long now)
    {
        var since = _lastTicks < 0 ? _firstSeen : _lastTicks;
        if (now - since > _staleAfter)
        {
            var detail = _lastTicks < 0
                ? $"no data for {DetectorText.Duration(TimeSpan.FromTicks(now - since))} (expected every {DetectorText.Duration(_s.ExpectedInterval)})"
                : $"no data for {DetectorText.Duration(TimeSpan.FromTicks(now - since))} (expected every {DetectorText.Duration(_s.ExpectedInterval)}), last {DetectorText.Value(_lastValue, _s.Unit)}";
            return new Detection(true, 1, detail);
        }
        if (_lastTicks < 0)
        {
            return Detection.Normal;
        }
        if (_p.CheckRange && !(_lastValue >= _s.ValidMin && _lastValue <= _s.ValidMax))
        {
            return new Detection(true, 1,
                $"{DetectorText.Value(_lastValue, _s.Unit)} outside the physical range {DetectorText.Number(_s.ValidMin)} to {DetectorText.Value(_s.ValidMax, _s.Unit)}",
                null, _s.ValidMin, _s.ValidMax);
        }
        if (_p.FlatlineDuration is { } duration && _flat.IsFlat(_p.FlatlineReadings, duration))
        {
            return new Detection(true, 1,
                $"stuck at {DetectorText.Value(_flat.Value, _s.Unit)} for {DetectorText.Duration(TimeSpan.FromTicks(_flat.RunEndTicks - _flat.RunStartTicks))} ({_flat.RunLength} identical readings)");
        }
        return Detection.Normal;
    }

    public string SaveState() => DetectorText.Save(new State(
        _firstSeen, _lastTicks, _lastValue, _flat.Value, _flat.RunLength, _flat.RunStartTicks, _flat.RunEndTicks));

    public void LoadState(string state)
    {
        var s = DetectorText.Load<State>(state);
        (_firstSeen, _lastTicks, _lastValue) = (s.FirstSeen, s.LastTicks, s.LastValue);
        _flat = FlatlineTracker.Restore(s.FlatValue, s.FlatRun, s.FlatStart, s.FlatEnd);
    }

    private sealed record State(long FirstSeen, long LastTicks, double LastValue, double FlatValue, int FlatRun, long FlatStart, long FlatEnd);
}
