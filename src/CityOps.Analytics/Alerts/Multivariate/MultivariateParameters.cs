namespace CityOps.Analytics.Alerts;

/// <summary>How <see cref="Multivariate.MultivariateDetector"/> combines its two statistics into an alarm.</summary>
public enum MultivariateStatistic
{
    /// <summary>Only Hotelling's T² (movement along the normal directions, beyond their usual size).</summary>
    T2,

    /// <summary>Only Q / SPE (movement off the normal correlation structure).</summary>
    Q,

    /// <summary>Either statistic beyond its own limit.</summary>
    Either,

    /// <summary>T²/limit + Q/limit beyond 1: a joint index that sees a fault that is half-way to both limits.</summary>
    Combined,
}

public sealed partial record MultivariateParameters
{
    /// <summary>The first this many vectors are normal operation the model learns from (Phase I).</summary>
    public int TrainingSize { get; init; } = 400;

    /// <summary>Keep the fewest principal components that explain at least this share of the standardised variance.</summary>
    public double VarianceExplained { get; init; } = 0.85;

    /// <summary>A fixed number of principal components; overrides <see cref="VarianceExplained"/> when set.</summary>
    public int? Components { get; init; }

    /// <summary>Confidence level of the theoretical control limits (F distribution for T², Jackson–Mudholkar for Q).</summary>
    public double ConfidenceLevel { get; init; } = 0.999;

    /// <summary>
    /// When set, each limit is this quantile of the statistic over the (smoothed) training vectors instead of the
    /// theoretical limit (null): real plant data are autocorrelated and not normal, so the textbook limits are often
    /// too tight or too loose.
    /// </summary>
    public double? TrainingQuantile { get; init; } = 0.995;

    /// <summary>Every limit is multiplied by this factor (a margin for operation the training window did not see).</summary>
    public double LimitFactor { get; init; } = 1.25;

    /// <summary>The statistics are the median of this many latest vectors, so one noisy vector does not raise an alarm.</summary>
    public int SmoothingWindow { get; init; } = 10;

    /// <summary>Which statistic raises the alarm.</summary>
    public MultivariateStatistic Statistic { get; init; } = MultivariateStatistic.Either;

    /// <summary>
    /// A sensor is standardised by at least this share of its training mean magnitude. A sensor that was nearly
    /// constant while the model learned (a slowly warming fluid, a regulated flow) would otherwise make every later
    /// small, harmless drift look like many standard deviations. The floor is relative to the unit's zero, so it
    /// suits ratio-scale quantities and °C process temperatures; set it to 0 to use the plain standard deviation.
    /// </summary>
    public double MinRelativeSpread { get; init; } = 0.025;
}
