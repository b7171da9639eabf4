namespace CityOps.Analytics.Alerts;

public sealed partial record ForecastParameters
{
    /// <summary>Warn before the value goes above this.</summary>
    public double? High { get; init; }

    /// <summary>Warn before the value goes below this.</summary>
    public double? Low { get; init; }

    /// <summary>How far ahead the model looks (whole minutes).</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Level smoothing per minute (0–1): higher follows the data faster.</summary>
    public double Alpha { get; init; } = 0.4;

    /// <summary>Trend smoothing (0–1), relative to <see cref="Alpha"/>.</summary>
    public double Beta { get; init; } = 0.2;

    /// <summary>Trend damping per minute (0–1): a trend is not extrapolated for ever.</summary>
    public double Phi { get; init; } = 0.99;

    /// <summary>Season length for Holt-Winters (e.g. one day, in local time; a multiple of 15 minutes); null is plain damped Holt.
    /// The seasonal profile has one value per 15 minutes, so each value learns from fifteen minutes a day.</summary>
    public TimeSpan? Season { get; init; }

    /// <summary>Seasonal smoothing (0–1).</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>Width of the prediction interval in standard deviations (1.28: 80 % two-sided, so the pessimistic edge
    /// that must cross for a warning is a 90 % one-sided bound).</summary>
    public double IntervalZ { get; init; } = 1.28;

    /// <summary>A warning needs the crossing predicted this many minutes in a row (and cleared likewise).</summary>
    public int ConfirmMinutes { get; init; } = 2;

    /// <summary>Minutes of data the model needs before it may warn (its error estimate settles).</summary>
    public int WarmupMinutes { get; init; } = 30;
}

/// <summary>One step of a forecast path: the point forecast and its prediction interval at a time.</summary>
public readonly record struct ForecastPoint(DateTime At, double Value, double Low, double High);

/// <summary>
/// Warns before a limit is crossed: readings are averaged per minute and fed to damped-trend Holt (additive
/// Holt-Winters when a season is set). A warning needs the crossing predicted within the horizon with
/// confidence (the pessimistic edge of the prediction interval crosses too) for <see cref="ForecastParameters.ConfirmMinutes"/>
/// minutes in a row, so noise around a steady value does not fire it; it clears once no crossing is predicted
/// for as long.
/// </summary>
/// <remarks>
/// The model is ETS(A,Ad,N) / ETS(A,Ad,A) in error-correction form; the h-step variance is
/// σ²(1 + Σ_{j&lt;h} c_j²) with c_j = α + αβ·φ(1−φ^j)/(1−φ), σ² an exponentially weighted mean of squared one-step
/// errors. Only completed minutes are used, so the conclusion changes once a minute. Expected, BandLow and
/// BandHigh of a warning are the forecast and its interval at the predicted crossing; otherwise one minute ahead.
/// </remarks>
public sealed class ForecastDetector : IDetector
{
    private const double ErrorWeight = 0.05;
    private const int SlotMinutes = 15;

    private readonly ForecastParameters _p;
    private readonly SensorContext _s;
    private readonly int _horizon;
    private readonly int _seasonLength;
    private readonly double[] _varianceFactor;

    private long _bucket = long.MinValue;
    private double _bucketSum;
    private int _bucketCount;
    private long _modelMinute = long.MinValue;
    private int _minutes;
    private double _level;
    private double _trend;
    private double _errorVariance;
    private double[] _season;
    private int _confirm;
    private bool _active;
    private Detection _conclusion = Detection.Normal;

    public ForecastDetector(ForecastParameters p, SensorContext s)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        if (p.High is null && p.Low is null)
        {
            throw new ArgumentException("A forecast rule needs a high or a low limit.", nameof(p));
        }
        if (p.Horizon < TimeSpan.FromMinutes(1) || p.Alpha is <= 0 or > 1 || p.Beta is < 0 or > 1 || p.Phi is <= 0 or > 1
            || p.Gamma is < 0 or > 1 || p.IntervalZ < 0 || p.ConfirmMinutes < 1 || p.WarmupMinutes < 2)
        {
            throw new ArgumentException("Forecast parameters out of range (horizon ≥ 1 min, smoothing in (0, 1], confirm ≥ 1, warm-up ≥ 2).", nameof(p));
        }
        if (p.Season is { } season && (season < TimeSpan.FromMinutes(2 * SlotMinutes) || season.Ticks % (SlotMinutes * TimeSpan.TicksPerMinute) != 0))
        {
            throw new ArgumentException("A season is a multiple of 15 minutes, at least 30 minutes long.", nameof(p));
        }
        _p = p;
        _s = s;
        _horizon = (int)p.Horizon.TotalMinutes;
        _seasonLength = p.Season is { } length ? (int)length.TotalMinutes : 0;
        _season = new double[_seasonLength / SlotMinutes];
        _varianceFactor = new double[_horizon + 1];
        var cumulative = 1.0;
        for (var h = 1; h <= _horizon; h++)
        {
            _varianceFactor[h] = cumulative;
            var j = h;
            var damped = p.Phi >= 1 ? j : p.Phi * (1 - Math.Pow(p.Phi, j)) / (1 - p.Phi);
            var c = p.Alpha + p.Alpha * p.Beta * damped;
            cumulative += c * c;
        }
    }

    /// <summary>The model has seen enough minutes to warn.</summary>
    public bool IsWarm => _minutes >= _p.WarmupMinutes;

    public Detection Update(DateTime timestamp, double value)
    {
        if (!double.IsFinite(value))
        {
            return _conclusion;
        }
        var minute = timestamp.Ticks / TimeSpan.TicksPerMinute;
        if (minute < _bucket)
        {
            // Its minute is already in the model; the model never looks back.
            return _conclusion;
        }
        if (minute > _bucket)
        {
            if (_bucketCount > 0)
            {
                Learn(_bucket, _bucketSum / _bucketCount);
                _conclusion = Conclude();
            }
            _bucket = minute;
            _bucketSum = 0;
            _bucketCount = 0;
        }
        _bucketSum += value;
        _bucketCount++;
        return _conclusion;
    }

    /// <summary>The forecast changes only with completed minutes, so time alone changes nothing.</summary>
    public Detection Evaluate(DateTime now) => _conclusion;

    /// <summary>
    /// The forecast for the next <paramref name="minutes"/> minutes after the last completed minute, each point at
    /// the middle of its minute, with its prediction interval (the cone the alarm detail screen draws). Empty before
    /// the first completed minute.
    /// </summary>
    public IReadOnlyList<ForecastPoint> Forecast(int minutes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minutes, 1);
        if (_minutes == 0)
        {
            return [];
        }
        var points = new List<ForecastPoint>(minutes);
        for (var h = 1; h <= minutes; h++)
        {
            points.Add(Point(h));
        }
        return points;
    }

    private ForecastPoint Point(int h)
    {
        var value = _level + DampedSum(h) * _trend + SeasonAt(_modelMinute + h);
        var factor = h < _varianceFactor.Length ? _varianceFactor[h] : ExtendedFactor(h);
        var half = _p.IntervalZ * Math.Sqrt(_errorVariance * factor);
        var at = new DateTime((_modelMinute + h) * TimeSpan.TicksPerMinute + TimeSpan.TicksPerMinute / 2, DateTimeKind.Utc);
        return new ForecastPoint(at, value, value - half, value + half);
    }

    private double ExtendedFactor(int h)
    {
        var cumulative = _varianceFactor[^1];
        for (var j = _varianceFactor.Length - 1; j < h; j++)
        {
            var damped = _p.Phi >= 1 ? j : _p.Phi * (1 - Math.Pow(_p.Phi, j)) / (1 - _p.Phi);
            var c = _p.Alpha + _p.Alpha * _p.Beta * damped;
            cumulative += c * c;
        }
        return cumulative;
    }

    private double DampedSum(int h) => _p.Phi >= 1 ? h : _p.Phi * (1 - Math.Pow(_p.Phi, h)) / (1 - _p.Phi);

    private int SeasonIndex(long minute)
    {
        var utc = new DateTime(minute * TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, _s.TimeZone);
        return (int)(local.Ticks / TimeSpan.TicksPerMinute % _seasonLength / SlotMinutes);
    }

    private double SeasonAt(long minute) => _seasonLength == 0 ? 0 : _season[SeasonIndex(minute)];

    private void Learn(long minute, double y)
    {
        if (_minutes == 0)
        {
            _level = y - SeasonAt(minute);
            _trend = 0;
            _modelMinute = minute;
            _minutes = 1;
            return;
        }
        // A gap of several minutes: the prediction runs the damped trend over the whole gap.
        var gap = (int)Math.Min(minute - _modelMinute, 24 * 60);
        var season = SeasonAt(minute);
        var predicted = _level + DampedSum(gap) * _trend + season;
        var error = y - predicted;
        var trendAhead = Math.Pow(_p.Phi, gap) * _trend;
        _level = predicted - season + _p.Alpha * error;
        _trend = trendAhead + _p.Alpha * _p.Beta * error;
        if (_seasonLength > 0)
        {
            _season[SeasonIndex(minute)] = season + _p.Gamma * (1 - _p.Alpha) * error;
        }
        // Until the weighted mean has enough terms, a plain mean of the squared errors.
        var weight = Math.Max(ErrorWeight, 1.0 / _minutes);
        _errorVariance += weight * (error * error - _errorVariance);
        _modelMinute = minute;
        _minutes++;
    }

    private Detection Conclude()
    {
        var crossing = FindCrossing();
        if (!IsWarm)
        {
            _confirm = 0;
            _active = false;
            return Describe(crossing, false);
        }
        // Confirmation counts minutes in a row that argue for the other state.
        var argues = _active ? crossing.Point is null : crossing.Confident;
        _confirm = argues ? _confirm + 1 : 0;
        if (_confirm >= _p.ConfirmMinutes)
        {
            _active = !_active;
            _confirm = 0;
        }
        return Describe(crossing, _active);
    }

    private readonly record struct Crossing(ForecastPoint? Point, int Minutes, bool High, bool Confident);

    /// <summary>The first minute within the horizon where the point forecast is beyond a limit, and whether the pessimistic edge of the interval crosses too.</summary>
    private Crossing FindCrossing()
    {
        ForecastPoint? found = null;
        var minutes = 0;
        var high = false;
        var confident = false;
        for (var h = 1; h <= _horizon; h++)
        {
            var point = Point(h);
            if (found is null)
            {
                if (point.Value > _p.High)
                {
                    (found, minutes, high) = (point, h, true);
                }
                else if (point.Value < _p.Low)
                {
                    (found, minutes, high) = (point, h, false);
                }
            }
            if (high ? point.Low > _p.High : point.High < _p.Low)
            {
                confident = found is not null;
                break;
            }
        }
        return new Crossing(found, minutes, high, confident);
    }

    private Detection Describe(Crossing crossing, bool active)
    {
        if (crossing.Point is not { } point)
        {
            var next = Point(1);
            return new Detection(active, 0, null, next.Value, next.Low, next.High);
        }
        var limit = crossing.High ? _p.High!.Value : _p.Low!.Value;
        var side = crossing.High ? "high" : "low";
        var now = _level + SeasonAt(_modelMinute);
        var beyond = crossing.High ? now > limit : now < limit;
        var detail = beyond
            ? $"{DetectorText.Value(now, _s.Unit)} beyond the {side} limit {DetectorText.Value(limit, _s.Unit)}, forecast to stay there"
            : $"will cross the {side} limit {DetectorText.Value(limit, _s.Unit)} in about {crossing.Minutes} min";
        var score = crossing.Confident ? 1 - (crossing.Minutes - 1.0) / _horizon / 2 : 0.25;
        return new Detection(active, active ? score : Math.Min(score, 0.5), detail, point.Value, point.Low, point.High, point.At);
    }

    public string SaveState() => DetectorText.Save(new State(
        _bucket, _bucketSum, _bucketCount, _modelMinute, _minutes, _level, _trend, _errorVariance, _season, _confirm, _active, _conclusion));

    public void LoadState(string state)
    {
        var s = DetectorText.Load<State>(state);
        if (s.Season.Length != _season.Length)
        {
            throw new ArgumentException("The saved forecast has a different season length.", nameof(state));
        }
        (_bucket, _bucketSum, _bucketCount, _modelMinute, _minutes, _level, _trend, _errorVariance, _season, _confirm, _active, _conclusion) =
            (s.Bucket, s.BucketSum, s.BucketCount, s.ModelMinute, s.Minutes, s.Level, s.Trend, s.ErrorVariance, s.Season, s.Confirm, s.Active, s.Conclusion);
    }

    private sealed record State(
        long Bucket, double BucketSum, int BucketCount, long ModelMinute, int Minutes, double Level, double Trend, double ErrorVariance,
        double[] Season, int Confirm, bool Active, Detection Conclusion);
}
