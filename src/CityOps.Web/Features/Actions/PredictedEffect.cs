using System.Globalization;

namespace CityOps.Web.Features.Actions;

/// <summary>High: the value must stay below the limit. Low: it must stay above.</summary>
public enum LimitKind { High, Low }

/// <summary>What a playbook protects: a sensor, the limit it must respect, and how uncertain the model is about it.</summary>
/// <param name="Quantity">How the sensor reads in a sentence, e.g. "motor temperature".</param>
/// <param name="Sigma">Standard deviation of the model's error for this sensor over the horizon (sensor units).</param>
public sealed record WatchedLimit(string SensorKey, string Quantity, string? Unit, LimitKind Kind, double Limit, double Sigma)
{
    public bool IsSafe(double value) => Kind == LimitKind.High ? value < Limit : value > Limit;
}

/// <summary>One predicted run of the watched sensor.</summary>
/// <param name="Extreme">The peak (high limits) or trough (low limits).</param>
/// <param name="CrossesAt">When the limit is first violated, if it is.</param>
/// <param name="Times">Unix seconds, for the chart.</param>
public sealed record PredictedRun(double Extreme, DateTime ExtremeAt, DateTime? CrossesAt, double[] Times, double[] Values)
{
    public bool StaysSafe => CrossesAt is null;

    public static PredictedRun From(PredictedSeries series, WatchedLimit limit)
    {
        if (series.Count == 0)
        {
            throw new ArgumentException($"The model predicted no readings of '{limit.SensorKey}'.", nameof(series));
        }
        var extremeIndex = 0;
        DateTime? crosses = null;
        for (var i = 0; i < series.Count; i++)
        {
            var v = series.Values[i];
            var better = limit.Kind == LimitKind.High ? v > series.Values[extremeIndex] : v < series.Values[extremeIndex];
            if (better)
            {
                extremeIndex = i;
            }
            if (crosses is null && !limit.IsSafe(v))
            {
                crosses = series.Times[i];
            }
        }
        return new PredictedRun(series.Values[extremeIndex], series.Times[extremeIndex], crosses,
            [.. series.Times.Select(t => (t - DateTime.UnixEpoch).TotalSeconds)], series.Values);
    }
}

/// <summary>
/// The predicted effect of an action: the watched sensor with and without it, from the same present state.
/// </summary>
/// <param name="Confidence">
/// Probability that the real extreme stays on the safe side of the limit with the action, taking the model's
/// error as normal with standard deviation <see cref="WatchedLimit.Sigma"/>: Φ(margin / σ), where the margin is
/// the distance from the predicted extreme to the limit (negative when the prediction itself violates it).
/// </param>
public sealed record PredictedEffect(WatchedLimit Limit, DateTime From, TimeSpan Horizon, PredictedRun Without, PredictedRun With, double Confidence)
{
    public const string ConfidenceBasis =
        "Probability that the real extreme stays within the limit, taking the model's error as normal with the playbook's sigma: Φ(margin / σ).";

    public static PredictedEffect Compute(WatchedLimit limit, DateTime from, TimeSpan horizon, PredictedRun without, PredictedRun with)
    {
        var margin = limit.Kind == LimitKind.High ? limit.Limit - with.Extreme : with.Extreme - limit.Limit;
        return new PredictedEffect(limit, from, horizon, without, with, NormalCdf(margin / limit.Sigma));
    }

    /// <summary>"With the action, motor temperature peaks at 82 °C in 12 min instead of crossing 90 °C in 7 min."</summary>
    public string Summary =>
        $"With the action, {Limit.Quantity} {Describe(With, finite: true)} instead of {Describe(Without, finite: false)}.";

    private string Describe(PredictedRun run, bool finite)
    {
        var unit = string.IsNullOrEmpty(Limit.Unit) ? "" : " " + Limit.Unit;
        if (run.CrossesAt is { } crosses)
        {
            var verb = (Limit.Kind, finite) switch
            {
                (LimitKind.High, true) => "crosses",
                (LimitKind.High, false) => "crossing",
                (_, true) => "falls below",
                _ => "falling below",
            };
            return $"{verb} {Format(Limit.Limit)}{unit} in {Minutes(crosses)}";
        }
        var extreme = (Limit.Kind, finite) switch
        {
            (LimitKind.High, true) => "peaks at",
            (LimitKind.High, false) => "peaking at",
            (_, true) => "bottoms out at",
            _ => "bottoming out at",
        };
        return $"{extreme} {Format(run.Extreme)}{unit} in {Minutes(run.ExtremeAt)}";
    }

    private string Minutes(DateTime at) => $"{Math.Max(0, Math.Round((at - From).TotalMinutes)).ToString(CultureInfo.InvariantCulture)} min";

    private static string Format(double v) => v.ToString(Math.Abs(v) >= 10 ? "0.#" : "0.##", CultureInfo.InvariantCulture);

    /// <summary>Standard normal CDF (Abramowitz–Stegun 7.1.26 for erf, error below 1.5e-7).</summary>
    internal static double NormalCdf(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + 0.3275911 * x);
        var erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
