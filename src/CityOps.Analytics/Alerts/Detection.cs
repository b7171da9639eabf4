namespace CityOps.Analytics.Alerts;

/// <summary>
/// What a detector concludes after a reading (or after time passed without one).
/// </summary>
/// <param name="Active">The condition holds (after the model's own delays and hysteresis).</param>
/// <param name="Score">How abnormal, in [0, 1]; 0 is normal. Detectors without a graded score use 0 or 1.</param>
/// <param name="Detail">One line for the operator, with units, e.g. "92.4 °C above the high limit 90 °C".</param>
/// <param name="Expected">What the model expected now (baseline, forecast, control-chart centre), if it has one.</param>
/// <param name="BandLow">Lower edge of the normal band the model uses now, if it has one.</param>
/// <param name="BandHigh">Upper edge of the normal band the model uses now, if it has one.</param>
/// <param name="PredictedAt">For forecasts: when the limit is predicted to be crossed (UTC).</param>
public readonly record struct Detection(
    bool Active,
    double Score,
    string? Detail = null,
    double? Expected = null,
    double? BandLow = null,
    double? BandHigh = null,
    DateTime? PredictedAt = null)
{
    public static Detection Normal { get; } = new(false, 0);
}

/// <summary>
/// A streaming model over one sensor. Readings arrive one at a time in reading-time order (UTC); the model
/// never looks ahead. Pure: no I/O, no clock other than the times it is given.
/// </summary>
public interface IDetector
{
    /// <summary>Takes one reading and returns the conclusion after it.</summary>
    Detection Update(DateTime timestamp, double value);

    /// <summary>The conclusion at <paramref name="now"/> when no reading arrived (stale data, off-delays that ran out).</summary>
    Detection Evaluate(DateTime now);

    /// <summary>Everything learned so far, as JSON, so a restart resumes where it stopped.</summary>
    string SaveState();

    /// <summary>Resumes from <see cref="SaveState"/> output of a detector built with the same parameters.</summary>
    void LoadState(string state);
}

/// <summary>A streaming model over several related sensors of one asset (one vector per step, in a fixed order).</summary>
public interface IMultivariateDetector
{
    Detection Update(DateTime timestamp, ReadOnlySpan<double> values);

    string SaveState();

    void LoadState(string state);
}

/// <summary>What a detector knows about the sensor it watches.</summary>
/// <param name="TimeZone">The site's time zone: "time of day" and "day of week" are local.</param>
public sealed record SensorContext(
    string Key,
    MetricKind Metric,
    string Unit,
    double ValidMin,
    double ValidMax,
    TimeSpan ExpectedInterval,
    TimeZoneInfo TimeZone);
