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
            ForecastParameters => throw new NotSupportedException("The forecast model is not built yet."),
            BaselineParameters => throw new NotSupportedException("The baseline model arrives with the BaselineDetector."),
            SpcParameters => throw new NotSupportedException("The SPC model arrives with the SpcDetector."),
            MultivariateParameters => throw new ArgumentException("A multivariate model watches an asset's sensors: use CreateMultivariate.", nameof(p)),
            _ => throw new NotSupportedException($"No detector for {p.GetType().Name}."),
        };
    }

    public static IMultivariateDetector CreateMultivariate(MultivariateParameters p, IReadOnlyList<SensorContext> sensors)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(sensors);
        throw new NotSupportedException("The multivariate model arrives with the MultivariateDetector.");
    }
}
