namespace CityOps.Analytics.Alerts;

public sealed partial record LimitParameters
{
    /// <summary>Raised when a value goes above this.</summary>
    public double? High { get; init; }

    /// <summary>Raised when a value goes below this.</summary>
    public double? Low { get; init; }

    /// <summary>Hysteresis in sensor units: a high condition clears only below High − Deadband (a low one above Low + Deadband).</summary>
    public double Deadband { get; init; }

    /// <summary>The condition must hold this long before the alarm is raised (filters short excursions).</summary>
    public TimeSpan OnDelay { get; init; }

    /// <summary>The condition must be gone this long before the alarm clears (filters chatter around the limit).</summary>
    public TimeSpan OffDelay { get; init; }

    /// <summary>Raised when the value changes faster than this many sensor units per minute (either direction).</summary>
    public double? RateLimit { get; init; }

    /// <summary>The window the rate of change is measured over.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// High/low limits with deadband, on- and off-delays, and an optional rate-of-change limit: the classic
/// ISA-18.2 absolute alarm. The on/off delays apply to the combined condition, so a value that crosses
/// from "too fast" to "too high" stays one alarm.
/// </summary>
public sealed class LimitDetector : IDetector
{
    private enum Condition { None, High, Low, Rate }

    private readonly LimitParameters _p;
    private readonly SensorContext _s;
    private readonly long _onDelay;
    private readonly long _offDelay;
    private readonly long _rateWindow;
    private readonly Queue<(long Ticks, double Value)> _rateHistory = new();

    private bool _highLatched;
    private bool _lowLatched;
    private double _rate;
    private bool _rateExceeded;
    private double _lastValue = double.NaN;
    private long _lastTicks;
    private bool _active;
    private long _onSince = -1;
    private long _offSince = -1;
    private Condition _shown;

    public LimitDetector(LimitParameters p, SensorContext s)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        if (p.High is null && p.Low is null && p.RateLimit is null)
        {
            throw new ArgumentException("A limit rule needs a high limit, a low limit or a rate limit.", nameof(p));
        }
        if (p.Deadband < 0 || p.OnDelay < TimeSpan.Zero || p.OffDelay < TimeSpan.Zero || p.RateLimit <= 0)
        {
            throw new ArgumentException("Deadband, delays and rate limit cannot be negative.", nameof(p));
        }
        if (p.RateLimit is not null && p.RateWindow <= TimeSpan.Zero)
        {
            throw new ArgumentException("The rate window must be positive.", nameof(p));
        }
        _p = p;
        _s = s;
        _onDelay = p.OnDelay.Ticks;
        _offDelay = p.OffDelay.Ticks;
        _rateWindow = p.RateWindow.Ticks;
    }

    public Detection Update(DateTime timestamp, double value)
    {
        var ticks = timestamp.Ticks;
        _lastValue = value;
        _lastTicks = ticks;
        if (_p.High is { } high)
        {
            _highLatched = _highLatched ? value >= high - _p.Deadband : value > high;
        }
        if (_p.Low is { } low)
        {
            _lowLatched = _lowLatched ? value <= low + _p.Deadband : value < low;
        }
        if (_p.RateLimit is { } rateLimit)
        {
            UpdateRate(ticks, value, rateLimit);
        }
        return Step(ticks);
    }

    public Detection Evaluate(DateTime now) => Step(Math.Max(now.Ticks, _lastTicks));

    private void UpdateRate(long ticks, double value, double rateLimit)
    {
        // The rate is measured against the oldest reading still inside the window, and only once the window
        // is at least half covered, so two readings a second apart cannot make a huge rate out of noise.
        while (_rateHistory.Count > 1 && _rateHistory.Peek().Ticks < ticks - _rateWindow)
        {
            _rateHistory.Dequeue();
        }
        if (_rateHistory.Count == 1 && _rateHistory.Peek().Ticks < ticks - 2 * _rateWindow)
        {
            _rateHistory.Dequeue();
        }
        _rate = 0;
        _rateExceeded = false;
        if (_rateHistory.Count > 0)
        {
            var (oldTicks, oldValue) = _rateHistory.Peek();
            var span = ticks - oldTicks;
            if (span * 2 >= _rateWindow)
            {
                _rate = (value - oldValue) / span * TimeSpan.TicksPerMinute;
                _rateExceeded = Math.Abs(_rate) > rateLimit;
            }
        }
        _rateHistory.Enqueue((ticks, value));
    }

    private Detection Step(long now)
    {
        var condition = _highLatched ? Condition.High : _lowLatched ? Condition.Low : _rateExceeded ? Condition.Rate : Condition.None;
        if (condition != Condition.None)
        {
            _offSince = -1;
            _shown = condition;
            if (!_active)
            {
                if (_onSince < 0)
                {
                    _onSince = now;
                }
                _active = now - _onSince >= _onDelay;
            }
        }
        else
        {
            _onSince = -1;
            if (_active)
            {
                if (_offSince < 0)
                {
                    _offSince = now;
                }
                _active = now - _offSince < _offDelay;
            }
        }
        if (!_active)
        {
            return condition == Condition.None
                ? new Detection(false, 0, null, null, _p.Low, _p.High)
                : new Detection(false, 0.5, Describe(condition), null, _p.Low, _p.High);
        }
        return new Detection(true, 1, Describe(condition), null, _p.Low, _p.High);
    }

    private string Describe(Condition condition)
    {
        var value = DetectorText.Value(_lastValue, _s.Unit);
        switch (condition)
        {
            case Condition.High when _lastValue > _p.High:
                return $"{value} above the high limit {DetectorText.Value(_p.High!.Value, _s.Unit)}";
            case Condition.High:
                return $"{value}, within the deadband of the high limit {DetectorText.Value(_p.High!.Value, _s.Unit)}";
            case Condition.Low when _lastValue < _p.Low:
                return $"{value} below the low limit {DetectorText.Value(_p.Low!.Value, _s.Unit)}";
            case Condition.Low:
                return $"{value}, within the deadband of the low limit {DetectorText.Value(_p.Low!.Value, _s.Unit)}";
            case Condition.Rate:
                return $"{(_rate > 0 ? "rising" : "falling")} {DetectorText.Value(Math.Abs(_rate), _s.Unit)}/min, faster than the limit {DetectorText.Value(_p.RateLimit!.Value, _s.Unit)}/min";
            default:
                return _shown switch
                {
                    Condition.High => $"{value}, back below the high limit {DetectorText.Value(_p.High!.Value, _s.Unit)}",
                    Condition.Low => $"{value}, back above the low limit {DetectorText.Value(_p.Low!.Value, _s.Unit)}",
                    _ => $"{value}, rate of change back within {DetectorText.Value(_p.RateLimit!.Value, _s.Unit)}/min",
                };
        }
    }

    public string SaveState() => DetectorText.Save(new State(
        _highLatched, _lowLatched, _rate, _rateExceeded, _lastValue, _lastTicks, _active, _onSince, _offSince, (int)_shown,
        [.. _rateHistory.Select(h => h.Ticks)], [.. _rateHistory.Select(h => h.Value)]));

    public void LoadState(string state)
    {
        var s = DetectorText.Load<State>(state);
        (_highLatched, _lowLatched, _rate, _rateExceeded, _lastValue, _lastTicks, _active, _onSince, _offSince, _shown) =
            (s.HighLatched, s.LowLatched, s.Rate, s.RateExceeded, s.LastValue, s.LastTicks, s.Active, s.OnSince, s.OffSince, (Condition)s.Shown);
        _rateHistory.Clear();
        for (var i = 0; i < s.RateTicks.Length; i++)
        {
            _rateHistory.Enqueue((s.RateTicks[i], s.RateValues[i]));
        }
    }

    private sealed record State(
        bool HighLatched, bool LowLatched, double Rate, bool RateExceeded, double LastValue, long LastTicks, bool Active,
        long OnSince, long OffSince, int Shown, long[] RateTicks, double[] RateValues);
}
