using System.Text.Json.Serialization;

namespace CityOps.Analytics.Alerts.Baseline;

/// <summary>
/// Online robust location and spread (an exponentially weighted Huber M-estimate): a reading far from the current
/// location moves it by at most <c>clip</c> spreads, so one outlier cannot drag what is "normal", while a lasting
/// shift is still absorbed at a bounded rate. The first readings are averaged equally (step 1/n) so a young
/// estimate is not biased towards its first value. Spread is the root mean square deviation, clipped only far
/// out (<see cref="VarianceClip"/> standard deviations): a signal that is mostly flat but spikes now and then
/// must learn that spikes are part of its normal, yet one extreme event must not widen the band so much that
/// the same event an hour later looks ordinary.
/// </summary>
internal sealed class RobustTracker
{
    private const double VarianceClip = 15;

    public double Mean { get; set; }

    public double Variance { get; set; }

    public long N { get; set; }

    [JsonIgnore]
    public double Sigma => Math.Sqrt(Variance);

    public void Update(double x, double minStep, double clip)
    {
        N++;
        if (N == 1)
        {
            Mean = x;
            Variance = 0;
            return;
        }
        var step = Math.Max(1.0 / N, minStep);
        var d = x - Mean;
        var dd = d * d;
        if (Variance > 0 && dd > VarianceClip * VarianceClip * Variance)
        {
            dd = VarianceClip * VarianceClip * Variance;
        }
        Variance += step * ((1 - step) * dd - Variance);
        var sigma = Sigma;
        if (sigma > 0 && Math.Abs(d) > clip * sigma)
        {
            d = Math.CopySign(clip * sigma, d);
        }
        Mean += step * d;
    }
}
