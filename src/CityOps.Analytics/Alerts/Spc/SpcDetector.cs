using System.Globalization;
using System.Text.Json;

namespace CityOps.Analytics.Alerts.Spc;

/// <summary>
/// A Shewhart control chart with the Western Electric run rules, an EWMA chart and a tabular CUSUM over one sensor.
/// Phase I learns the in-control centre and σ from the first points (median and MAD, so a few outliers in the
/// learning window do not widen the limits), unless they are given. Phase II charts every point (a reading, or a
/// subgroup mean) and reports the most severe rule that holds.
/// </summary>
public sealed class SpcDetector : IDetector
{
    private const int History = 8;

    private readonly SpcParameters _parameters;
    private readonly SensorContext _sensor;
    private State _state = new();

    public SpcDetector(SpcParameters parameters, SensorContext sensor)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(sensor);
        if (parameters.PhaseOneCount < 2 && (parameters.Centre is null || parameters.Sigma is null))
            throw new ArgumentException("PhaseOneCount must be at least 2 unless both centre and σ are given.", nameof(parameters));
        if (parameters.Sigma is { } s && !(s > 0))
            throw new ArgumentException("Sigma must be positive.", nameof(parameters));
        if (parameters.Subgroup < TimeSpan.Zero)
            throw new ArgumentException("Subgroup cannot be negative.", nameof(parameters));
        if (parameters.EwmaLambda is <= 0 or > 1 || parameters.EwmaL <= 0)
            throw new ArgumentException("EwmaLambda must be in (0, 1] and EwmaL positive.", nameof(parameters));
        if (parameters.CusumK < 0 || parameters.CusumH <= 0)
            throw new ArgumentException("CusumK cannot be negative and CusumH must be positive.", nameof(parameters));

        _parameters = parameters;
        _sensor = sensor;
        if (parameters is { Centre: { } centre, Sigma: { } sigma })
            StartPhaseTwo(centre, sigma);
    }

    /// <summary>The chart's centre line; null during Phase I.</summary>
    public double? Centre => _state.Centre;

    /// <summary>σ of the charted points; null during Phase I.</summary>
    public double? Sigma => _state.Sigma;

    public Detection Update(DateTime timestamp, double value)
    {
        // A missing reading says nothing about the process; data-quality rules report it.
        if (!double.IsFinite(value))
            return _state.Last;

        if (_parameters.Subgroup == TimeSpan.Zero)
        {
            Chart(value);
            return _state.Last;
        }

        var bucket = timestamp.Ticks / _parameters.Subgroup.Ticks;
        if (_state.Bucket is { } open && bucket != open)
            CloseSubgroup();

        _state.Bucket = bucket;
        _state.BucketSum += value;
        _state.BucketCount++;
        return _state.Last;
    }

    public Detection Evaluate(DateTime now)
    {
        // A subgroup is complete when its window has passed, even if the next reading is late.
        if (_state.Bucket is { } open && now.Ticks >= (open + 1) * _parameters.Subgroup.Ticks)
            CloseSubgroup();
        return _state.Last;
    }

    public string SaveState() => JsonSerializer.Serialize(_state);

    public void LoadState(string state) =>
        _state = JsonSerializer.Deserialize<State>(state) ?? throw new ArgumentException("Empty state.", nameof(state));

    private void CloseSubgroup()
    {
        var mean = _state.BucketSum / _state.BucketCount;
        _state.Bucket = null;
        _state.BucketSum = 0;
        _state.BucketCount = 0;
        Chart(mean);
    }

    private void Chart(double x)
    {
        if (_state.Centre is not { } centre || _state.Sigma is not { } sigma)
        {
            _state.PhaseOne.Add(x);
            if (_state.PhaseOne.Count < _parameters.PhaseOneCount)
            {
                _state.Last = new Detection(false, 0, $"Learning the centre and σ: {_state.PhaseOne.Count} of {_parameters.PhaseOneCount} points");
                return;
            }

            var median = Median(_state.PhaseOne);
            // 1.4826·MAD estimates σ of normal data and ignores a few outliers; the floor keeps a constant
            // learning window from giving σ = 0 (every later change infinitely abnormal).
            var mad = 1.4826 * Median(_state.PhaseOne.Select(v => Math.Abs(v - median)));
            var learnedSigma = Math.Max(mad, Math.Max(1e-9, 1e-6 * Math.Abs(median)));
            _state.PhaseOne = [];
            StartPhaseTwo(_parameters.Centre ?? median, _parameters.Sigma ?? learnedSigma);
            return;
        }

        var z = (x - centre) / sigma;
        _state.Recent.Add(z);
        if (_state.Recent.Count > History)
            _state.Recent.RemoveAt(0);
        _state.Points++;

        var lambda = _parameters.EwmaLambda;
        _state.Ewma = lambda * x + (1 - lambda) * _state.Ewma;
        var ewmaHalfWidth = _parameters.EwmaL * sigma * Math.Sqrt(lambda / (2 - lambda) * (1 - Math.Pow(1 - lambda, 2 * _state.Points)));

        _state.CusumHigh = Math.Max(0, _state.CusumHigh + z - _parameters.CusumK);
        _state.CusumLow = Math.Max(0, _state.CusumLow - z - _parameters.CusumK);

        _state.Last = Conclude(x, z, centre, sigma, ewmaHalfWidth);
    }

    private Detection Conclude(double x, double z, double centre, double sigma, double ewmaHalfWidth)
    {
        var low = centre - 3 * sigma;
        var high = centre + 3 * sigma;
        var ewmaDeviation = _state.Ewma - centre;
        var cusum = Math.Max(_state.CusumHigh, _state.CusumLow);

        var detail = FiringRule(x, z, centre, ewmaHalfWidth);
        var graded = Math.Max(Math.Abs(z) / 3, Math.Max(
            _parameters.Ewma ? Math.Abs(ewmaDeviation) / ewmaHalfWidth : 0,
            _parameters.Cusum ? cusum / _parameters.CusumH : 0));
        var score = detail is null ? Math.Min(1, graded) : 1;
        return new Detection(detail is not null, score, detail, centre, low, high);
    }

    /// <summary>The most severe rule that holds after the newest point, described for the operator; null when in control.</summary>
    private string? FiringRule(double x, double z, double centre, double ewmaHalfWidth)
    {
        var recent = _state.Recent;
        var points = _parameters.Subgroup == TimeSpan.Zero ? string.Empty : $" ({Window()} means)";

        if (_parameters.Rule1 && Math.Abs(z) > 3)
            return $"Western Electric rule 1: {Value(x)} beyond 3σ {Side(z)} the centre {Value(centre)}{points}";
        if (_parameters.Rule2 && Side(recent, 3, 2, 2) is { } side2)
            return $"Western Electric rule 2: 2 of 3 beyond 2σ {Side(side2)} the centre {Value(centre)}{points}";
        if (_parameters.Rule3 && Side(recent, 5, 4, 1) is { } side3)
            return $"Western Electric rule 3: 4 of 5 beyond 1σ {Side(side3)} the centre {Value(centre)}{points}";
        if (_parameters.Rule4 && Side(recent, 8, 8, 0) is { } side4)
            return $"Western Electric rule 4: 8 in a row {Side(side4)} the centre {Value(centre)}{points}";

        var ewmaDeviation = _state.Ewma - centre;
        if (_parameters.Ewma && Math.Abs(ewmaDeviation) > ewmaHalfWidth)
        {
            var limit = centre + Math.Sign(ewmaDeviation) * ewmaHalfWidth;
            return $"EWMA {Value(_state.Ewma)} beyond its {(ewmaDeviation > 0 ? "upper" : "lower")} limit {Value(limit)}: a sustained shift {Side(ewmaDeviation)} the centre {Value(centre)}{points}";
        }

        if (_parameters.Cusum && Math.Max(_state.CusumHigh, _state.CusumLow) > _parameters.CusumH)
        {
            var up = _state.CusumHigh >= _state.CusumLow;
            var sum = up ? _state.CusumHigh : _state.CusumLow;
            return string.Create(CultureInfo.InvariantCulture,
                $"CUSUM {sum:0.#}σ beyond its decision interval {_parameters.CusumH:0.#}σ: a sustained shift {(up ? "above" : "below")} the centre {Value(centre)}{points}");
        }

        return null;
    }

    /// <summary>+1 or −1 when at least <paramref name="need"/> of the last <paramref name="of"/> points lie beyond <paramref name="beyond"/>σ on that side.</summary>
    private static int? Side(List<double> recent, int of, int need, double beyond)
    {
        if (recent.Count < need)
            return null;
        var window = recent.Skip(Math.Max(0, recent.Count - of)).ToArray();
        if (window.Count(v => v > beyond) >= need)
            return 1;
        if (window.Count(v => v < -beyond) >= need)
            return -1;
        return null;
    }

    private void StartPhaseTwo(double centre, double sigma)
    {
        _state.Centre = centre;
        _state.Sigma = sigma;
        _state.Ewma = centre;
        _state.Last = new Detection(false, 0, $"Control limits {Value(centre - 3 * sigma)} to {Value(centre + 3 * sigma)} around {Value(centre)}", centre, centre - 3 * sigma, centre + 3 * sigma);
    }

    private static string Side(double sign) => sign > 0 ? "above" : "below";

    private string Value(double v) => string.Create(CultureInfo.InvariantCulture, $"{v:0.##} {_sensor.Unit}").TrimEnd();

    private string Window() =>
        _parameters.Subgroup.TotalMinutes >= 1 && _parameters.Subgroup.TotalMinutes % 1 == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{_parameters.Subgroup.TotalMinutes:0}-minute")
            : string.Create(CultureInfo.InvariantCulture, $"{_parameters.Subgroup.TotalSeconds:0.#}-second");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private sealed class State
    {
        public List<double> PhaseOne { get; set; } = [];
        public double? Centre { get; set; }
        public double? Sigma { get; set; }
        public List<double> Recent { get; set; } = [];
        public long Points { get; set; }
        public double Ewma { get; set; }
        public double CusumHigh { get; set; }
        public double CusumLow { get; set; }
        public long? Bucket { get; set; }
        public double BucketSum { get; set; }
        public int BucketCount { get; set; }
        public Detection Last { get; set; } = Detection.Normal;
    }
}
