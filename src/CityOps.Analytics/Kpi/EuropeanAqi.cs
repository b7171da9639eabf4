namespace CityOps.Analytics.Kpi;

public enum EuropeanAqiBand { Good, Fair, Moderate, Poor, VeryPoor, ExtremelyPoor }

/// <summary>
/// The European Air Quality Index of the European Environment Agency, bands as revised in 2021 (EEA, "European
/// Air Quality Index", https://airindex.eea.europa.eu, band thresholds in µg/m³: PM2.5 24-hour running mean
/// 10/20/25/50/75, PM10 24-hour running mean 20/40/50/100/150, NO2 hourly 40/90/120/230/340, O3 hourly
/// 50/100/130/240/380). The index of a station is its worst pollutant band. Version "EEA 2021".
/// </summary>
public static class EuropeanAqi
{
    public const string Version = "EEA 2021";

    private static readonly Dictionary<Pollutant, double[]> UpperBounds = new()
    {
        [Pollutant.Pm25] = [10, 20, 25, 50, 75],
        [Pollutant.Pm10] = [20, 40, 50, 100, 150],
        [Pollutant.No2] = [40, 90, 120, 230, 340],
        [Pollutant.O3] = [50, 100, 130, 240, 380],
    };

    /// <summary>The band of one pollutant; a value on a threshold belongs to the lower band.</summary>
    public static EuropeanAqiBand Band(Pollutant pollutant, double microgramsPerCubicMetre)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(microgramsPerCubicMetre);
        var bounds = UpperBounds[pollutant];
        for (var i = 0; i < bounds.Length; i++)
        {
            if (microgramsPerCubicMetre <= bounds[i])
                return (EuropeanAqiBand)i;
        }
        return EuropeanAqiBand.ExtremelyPoor;
    }

    /// <summary>The worst band of the pollutants given; null when none has a value.</summary>
    public static EuropeanAqiBand? Overall(IEnumerable<(Pollutant Pollutant, double? Concentration)> concentrations)
    {
        EuropeanAqiBand? worst = null;
        foreach (var (pollutant, concentration) in concentrations)
        {
            if (concentration is not { } c || double.IsNaN(c))
                continue;
            var band = Band(pollutant, c);
            if (worst is null || band > worst)
                worst = band;
        }
        return worst;
    }
}
