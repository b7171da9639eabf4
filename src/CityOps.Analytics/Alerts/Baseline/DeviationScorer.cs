namespace CityOps.Analytics.Alerts.Baseline;

/// <summary>
/// How surprising the newest value of a signal is, judged against the signal's own history in three ways: the
/// short-term average against the long-term distribution (a lasting shift), the jump from the short-term average
/// against the distribution of such jumps (a sudden change), and the recent size of jumps against their usual
/// size (the signal became noisier or stiller). Each is scored before the value is learned, so the verdict never
/// uses the value it judges.
/// </summary>
internal sealed class DeviationScorer
{
    // Three looks at the same reading: Bonferroni keeps the combined false-alarm rate honest.
    private static readonly double Log10Looks = Math.Log10(3);

    public RobustTracker Level { get; set; } = new();

    public RobustTracker Jump { get; set; } = new();

    public RobustTracker Volatility { get; set; } = new();

    public double Short { get; set; }

    public double ShortVolatility { get; set; }

    public long N { get; set; }

    /// <summary>Returns log10 of the tail probability of the newest value and the signed z of its deviation, then learns it.</summary>
    public (double Log10P, double Z) Observe(double x, int shortWindow, int longMemory, double floor)
    {
        var alpha = 2.0 / (shortWindow + 1);
        // Volatility is a property of many readings; it needs a longer window than the level to be measured.
        var volatilityAlpha = 2.0 / (4 * shortWindow + 1);
        var minStep = 1.0 / longMemory;
        var logP = 0.0;
        var z = 0.0;
        if (N >= 2)
        {
            var jump = x - Short;
            var shortAfter = Short + alpha * jump;
            var zLevel = (shortAfter - Level.Mean) / Math.Max(Level.Sigma, floor);
            var zJump = (jump - Jump.Mean) / Math.Max(Jump.Sigma, floor);
            // Jump sizes are compared on a log scale, where "twice as jumpy" is the same step at every noise level.
            var jumpSize = Math.Log(Math.Abs(zJump) + 1e-3);
            var shortVolatility = ShortVolatility + volatilityAlpha * (jumpSize - ShortVolatility);
            var zVolatility = Volatility.N >= 2 ? (shortVolatility - Volatility.Mean) / Math.Max(Volatility.Sigma, 1e-3) : 0;
            logP = Math.Min(0, Log10Looks + Math.Min(Tail.Log10TwoSided(zVolatility),
                Math.Min(Tail.Log10TwoSided(zLevel), Tail.Log10TwoSided(zJump))));
            z = Math.Abs(zLevel) >= Math.Abs(zJump) ? zLevel : zJump;
            Volatility.Update(shortVolatility, minStep, 4);
            ShortVolatility = shortVolatility;
            Jump.Update(jump, minStep, 4);
            Short = shortAfter;
        }
        else
        {
            Short = N == 0 ? x : Short + alpha * (x - Short);
        }
        Level.Update(x, minStep, 4);
        N++;
        return (logP, z);
    }
}

/// <summary>Gaussian tail probabilities that stay accurate far into the tail (scores live there).</summary>
internal static class Tail
{
    /// <summary>log10 P(|Z| ≥ |z|) for a standard normal Z; finite however large z is.</summary>
    public static double Log10TwoSided(double z) => LnErfc(Math.Abs(z) / Math.Sqrt(2)) / Math.Log(10);

    // Chebyshev fit of erfc with relative error below 1.2e-7 everywhere, taken in logs so that tiny
    // probabilities neither underflow nor lose their order.
    private static double LnErfc(double x)
    {
        var t = 1.0 / (1.0 + 0.5 * x);
        var poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        return Math.Log(t) + poly;
    }
}
