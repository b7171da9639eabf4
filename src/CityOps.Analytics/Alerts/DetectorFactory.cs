using CityOps.Analytics.Alerts.Baseline;
using CityOps.Analytics.Alerts.Multivariate;
using CityOps.Analytics.Alerts.Spc;

namespace CityOps.Analytics.Alerts;

/// <summary>Builds the detector of a rule's model for one sensor (or one asset's sensors).</summary>
public static class DetectorFactory
{
    public static IDetector Create(ModelParameters p, SensorContext s)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(s);
        return p switch
        {
            LimitParameters limit => new LimitDetector(limit, s),
            DataQualityParameters quality => new DataQualityDetector(quality, s),
            ForecastParameters forecast => new ForecastDetector(forecast, s),
            BaselineParameters baseline => new BaselineDetector(baseline, s),
            SpcParameters spc => new SpcDetector(spc, s),
            MultivariateParameters => throw new ArgumentException("A multivariate model watches an asset's sensors: use CreateMultivariate.", nameof(p)),
            _ => throw new NotSupportedException($"No detector for {p.GetType().Name}."),
        };
    }

    public static IMultivariateDetector CreateMultivariate(MultivariateParameters p, IReadOnlyList<SensorContext> sensors)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(sensors);
        return new MultivariateDetector(p, sensors);
    }
}
