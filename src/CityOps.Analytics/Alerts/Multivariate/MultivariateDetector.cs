using System.Globalization;
using System.Text;
using System.Text.Json;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace CityOps.Analytics.Alerts.Multivariate;

/// <summary>
/// PCA process monitoring over the sensors of one asset. Phase I: the first <see cref="MultivariateParameters.TrainingSize"/>
/// vectors are taken as normal operation; each sensor is standardised and a principal-component model of their
/// correlation is fitted. Phase II: every vector gets Hotelling's T² (how far it moved inside the model) and Q / SPE
/// (how far it left the model, i.e. the sensors stopped moving together as they normally do), each compared with
/// a control limit. Q is what catches a broken correlation that no single sensor shows beyond its own range.
/// </summary>
public sealed class MultivariateDetector : IMultivariateDetector
{
    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly MultivariateParameters _parameters;
    private readonly IReadOnlyList<SensorContext> _sensors;
    private State _state = new();

    public MultivariateDetector(MultivariateParameters parameters, IReadOnlyList<SensorContext> sensors)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(sensors);
        if (sensors.Count < 2)
            throw new ArgumentException("A multivariate model needs at least two sensors.", nameof(sensors));
        if (parameters.TrainingSize <= sensors.Count + 1)
            throw new ArgumentException($"TrainingSize must exceed the number of sensors + 1 ({sensors.Count + 1}).", nameof(parameters));
        if (parameters.VarianceExplained is <= 0 or > 1)
            throw new ArgumentException("VarianceExplained must be in (0, 1].", nameof(parameters));
        if (parameters.Components is { } c && (c < 1 || c > sensors.Count))
            throw new ArgumentException($"Components must be between 1 and {sensors.Count}.", nameof(parameters));
        if (parameters.ConfidenceLevel is <= 0.5 or >= 1)
            throw new ArgumentException("ConfidenceLevel must be in (0.5, 1).", nameof(parameters));
        if (parameters.TrainingQuantile is { } q && q is <= 0 or >= 1)
            throw new ArgumentException("TrainingQuantile must be in (0, 1).", nameof(parameters));
        if (parameters.LimitFactor <= 0 || parameters.SmoothingWindow < 1)
            throw new ArgumentException("LimitFactor must be positive and SmoothingWindow at least 1.", nameof(parameters));

        _parameters = parameters;
        _sensors = sensors;
    }

    /// <summary>True once Phase I is over and vectors are scored.</summary>
    public bool IsTrained => _state.Mean is not null;

    /// <summary>Control limit of T² (after <see cref="MultivariateParameters.LimitFactor"/>); NaN before training.</summary>
    public double T2Limit => IsTrained ? _state.T2Limit : double.NaN;

    /// <summary>Control limit of Q (after <see cref="MultivariateParameters.LimitFactor"/>); NaN before training or without residual space.</summary>
    public double QLimit => IsTrained ? _state.QLimit : double.NaN;

    /// <summary>Number of principal components retained; 0 before training.</summary>
    public int ComponentCount => _state.Eigenvalues?.Length ?? 0;

    public Detection Update(DateTime timestamp, ReadOnlySpan<double> values)
    {
        if (values.Length != _sensors.Count)
            throw new ArgumentException($"Expected {_sensors.Count} values, got {values.Length}.", nameof(values));

        foreach (var v in values)
        {
            // A vector with a missing or broken reading cannot be placed in the model; the last conclusion stands.
            if (!double.IsFinite(v))
                return _state.Last;
        }

        if (!IsTrained)
        {
            _state.Training.Add(values.ToArray());
            if (_state.Training.Count < _parameters.TrainingSize)
            {
                _state.Last = new Detection(false, 0, $"Learning normal operation: {_state.Training.Count} of {_parameters.TrainingSize} vectors");
                return _state.Last;
            }

            Train();
            _state.Last = new Detection(false, 0, $"Trained on {_parameters.TrainingSize} vectors: {ComponentCount} components, T² limit {Format(_state.T2Limit)}, Q limit {Format(_state.QLimit)}");
            return _state.Last;
        }

        _state.Last = Score(values);
        return _state.Last;
    }

    public string SaveState() => JsonSerializer.Serialize(_state, JsonOptions);

    public void LoadState(string state)
    {
        var loaded = JsonSerializer.Deserialize<State>(state, JsonOptions) ?? throw new ArgumentException("Empty state.", nameof(state));
        if (loaded.Mean is not null && loaded.Mean.Length != _sensors.Count)
            throw new ArgumentException($"The state is for {loaded.Mean.Length} sensors, this detector watches {_sensors.Count}.", nameof(state));
        _state = loaded;
    }

    private void Train()
    {
        var rows = _state.Training;
        int n = rows.Count, m = _sensors.Count;

        var mean = new double[m];
        var scale = new double[m];
        for (var j = 0; j < m; j++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++) sum += rows[i][j];
            mean[j] = sum / n;
            double ss = 0;
            for (var i = 0; i < n; i++) ss += (rows[i][j] - mean[j]) * (rows[i][j] - mean[j]);
            var sd = Math.Sqrt(ss / (n - 1));
            scale[j] = Math.Max(sd, Math.Max(_parameters.MinRelativeSpread * Math.Abs(mean[j]), 1e-9));
        }

        var z = Matrix<double>.Build.Dense(n, m, (i, j) => (rows[i][j] - mean[j]) / scale[j]);
        var cov = z.TransposeThisAndMultiply(z) / (n - 1);
        var evd = cov.Evd(Symmetricity.Symmetric);

        var order = Enumerable.Range(0, m).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        var eigen = order.Select(i => Math.Max(evd.EigenValues[i].Real, 0)).ToArray();
        var total = eigen.Sum();

        var k = _parameters.Components ?? ComponentsFor(eigen, total, _parameters.VarianceExplained);
        // Components with no variance cannot be inverted for T²; they belong to the residual space.
        k = Math.Max(1, Math.Min(k, eigen.Count(e => e > 1e-12 * Math.Max(total, 1e-300))));

        var loadings = new double[m][];
        for (var j = 0; j < m; j++)
        {
            loadings[j] = new double[k];
            for (var a = 0; a < k; a++) loadings[j][a] = evd.EigenVectors[j, order[a]];
        }

        _state.Mean = mean;
        _state.Scale = scale;
        _state.Loadings = loadings;
        _state.Eigenvalues = eigen[..k];

        double t2Limit, qLimit;
        if (_parameters.TrainingQuantile is { } quantile)
        {
            var t2s = new List<double>(n);
            var qs = new List<double>(n);
            var recentT2 = new Queue<double>();
            var recentQ = new Queue<double>();
            foreach (var row in rows)
            {
                var (t2, q, _, _) = Statistics(row);
                t2s.Add(PushMedian(recentT2, t2));
                qs.Add(PushMedian(recentQ, q));
            }

            t2Limit = Quantile(t2s, quantile);
            qLimit = k < m ? Quantile(qs, quantile) : 0;
        }
        else
        {
            t2Limit = k * (n - 1.0) * (n + 1.0) / (n * (double)(n - k)) * FisherSnedecor.InvCDF(k, n - k, _parameters.ConfidenceLevel);
            qLimit = QLimitFor(eigen[k..], _parameters.ConfidenceLevel);
        }

        _state.T2Limit = t2Limit * _parameters.LimitFactor;
        _state.QLimit = qLimit * _parameters.LimitFactor;
        _state.Training = [];
    }

    private static int ComponentsFor(double[] eigen, double total, double share)
    {
        double cumulative = 0;
        for (var a = 0; a < eigen.Length; a++)
        {
            cumulative += eigen[a];
            if (cumulative >= share * total - 1e-12)
                return a + 1;
        }

        return eigen.Length;
    }

    /// <summary>Jackson–Mudholkar limit of Q; Box's g·χ²(h) approximation where Jackson–Mudholkar is undefined (h0 ≤ 0).</summary>
    private static double QLimitFor(double[] residualEigen, double confidence)
    {
        double t1 = 0, t2 = 0, t3 = 0;
        foreach (var l in residualEigen)
        {
            t1 += l;
            t2 += l * l;
            t3 += l * l * l;
        }

        if (t1 <= 0 || t2 <= 0)
            return 0;

        var h0 = 1 - 2 * t1 * t3 / (3 * t2 * t2);
        if (h0 > 0)
        {
            var c = Normal.InvCDF(0, 1, confidence);
            var inner = c * Math.Sqrt(2 * t2 * h0 * h0) / t1 + 1 + t2 * h0 * (h0 - 1) / (t1 * t1);
            if (inner > 0)
                return t1 * Math.Pow(inner, 1 / h0);
        }

        var g = t2 / t1;
        var h = t1 * t1 / t2;
        return g * ChiSquared.InvCDF(h, confidence);
    }

    private Detection Score(ReadOnlySpan<double> values)
    {
        var (t2, q, t2Parts, qParts) = Statistics(values);
        var t2Smoothed = PushMedian(_state.RecentT2, t2);
        var qSmoothed = PushMedian(_state.RecentQ, q);

        var hasQ = _state.QLimit > 0;
        var rT2 = t2Smoothed / _state.T2Limit;
        var rQ = hasQ ? qSmoothed / _state.QLimit : 0;

        var ratio = _parameters.Statistic switch
        {
            MultivariateStatistic.T2 => rT2,
            MultivariateStatistic.Q => rQ,
            MultivariateStatistic.Either => Math.Max(rT2, rQ),
            MultivariateStatistic.Combined => hasQ ? (rT2 + rQ) / 2 : rT2,
            _ => throw new InvalidOperationException($"Unknown statistic {_parameters.Statistic}."),
        };

        var active = ratio > 1;
        var score = double.IsFinite(ratio) ? ratio / (1 + ratio) : 1;
        if (!active)
            return new Detection(false, score, $"T² {Format(t2Smoothed)} (limit {Format(_state.T2Limit)}), Q {Format(qSmoothed)} (limit {Format(_state.QLimit)})");

        // Name the statistic that is furthest beyond its limit, and the sensors behind it.
        var useQ = hasQ && _parameters.Statistic != MultivariateStatistic.T2 && (rQ >= rT2 || _parameters.Statistic == MultivariateStatistic.Q);
        var detail = useQ
            ? $"Q (SPE) {Format(qSmoothed)} beyond its limit {Format(_state.QLimit)}: the sensors no longer move together as in normal operation; most from {Contributors(qParts, values)}"
            : $"Hotelling T² {Format(t2Smoothed)} beyond its limit {Format(_state.T2Limit)}: the operating point moved far from normal; most from {Contributors(t2Parts, values)}";
        return new Detection(true, score, detail);
    }

    /// <summary>T², Q and each sensor's share of them for one raw vector.</summary>
    private (double T2, double Q, double[] T2Parts, double[] QParts) Statistics(ReadOnlySpan<double> values)
    {
        var mean = _state.Mean!;
        var scale = _state.Scale!;
        var loadings = _state.Loadings!;
        var eigen = _state.Eigenvalues!;
        int m = mean.Length, k = eigen.Length;

        var z = new double[m];
        for (var j = 0; j < m; j++) z[j] = (values[j] - mean[j]) / scale[j];

        var t = new double[k];
        for (var a = 0; a < k; a++)
            for (var j = 0; j < m; j++)
                t[a] += loadings[j][a] * z[j];

        double t2 = 0;
        for (var a = 0; a < k; a++) t2 += t[a] * t[a] / eigen[a];

        var qParts = new double[m];
        var t2Parts = new double[m];
        double q = 0;
        for (var j = 0; j < m; j++)
        {
            double fitted = 0, weighted = 0;
            for (var a = 0; a < k; a++)
            {
                fitted += loadings[j][a] * t[a];
                weighted += loadings[j][a] * t[a] / eigen[a];
            }

            var e = z[j] - fitted;
            qParts[j] = e * e;
            q += qParts[j];
            // z_j · Σ_a p_ja t_a / λ_a sums to T² over the sensors; its size ranks the sensors.
            t2Parts[j] = Math.Abs(z[j] * weighted);
        }

        return (t2, q, t2Parts, qParts);
    }

    private string Contributors(double[] parts, ReadOnlySpan<double> values)
    {
        var total = parts.Sum();
        if (!(total > 0))
            return "no single sensor";

        var ranked = Enumerable.Range(0, parts.Length).OrderByDescending(j => parts[j]).ToArray();
        var sb = new StringBuilder();
        for (var r = 0; r < ranked.Length && r < 3; r++)
        {
            var j = ranked[r];
            var share = parts[j] / total;
            if (r > 0 && share < 0.1)
                break;
            if (r > 0) sb.Append(", ");
            var sensor = _sensors[j];
            sb.Append(CultureInfo.InvariantCulture, $"{sensor.Key} {share:P0} ({Format(values[j])} {sensor.Unit}, normal {Format(_state.Mean![j])} {sensor.Unit})");
        }

        return sb.ToString();
    }

    private double PushMedian(Queue<double> recent, double value)
    {
        recent.Enqueue(value);
        while (recent.Count > _parameters.SmoothingWindow) recent.Dequeue();
        return Median(recent);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Quantile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        var pos = p * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private sealed class State
    {
        public List<double[]> Training { get; set; } = [];
        public double[]? Mean { get; set; }
        public double[]? Scale { get; set; }
        public double[][]? Loadings { get; set; }
        public double[]? Eigenvalues { get; set; }
        public double T2Limit { get; set; }
        public double QLimit { get; set; }
        public Queue<double> RecentT2 { get; set; } = new();
        public Queue<double> RecentQ { get; set; } = new();
        public Detection Last { get; set; } = Detection.Normal;
    }
}
