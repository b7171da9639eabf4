namespace CityOps.Analytics.Kpi;

/// <summary>
/// Energy performance indicators per ISO 50006:2014 "Energy management systems — Measuring energy performance using
/// energy baselines (EnB) and energy performance indicators (EnPI) — General principles and guidance", clauses 4.4
/// and 5: the measured consumption of a boundary (a meter: district substation, line feeder, site incomer) compared
/// with a baseline of the same kind (here the same period one week earlier, so weekday and shift pattern match),
/// and the ratio EnPI "specific energy consumption" = consumption / output (kWh per good unit; ISO 22400-2 has the
/// same figure for a work unit). Version "ISO 50006:2014".
/// </summary>
public static class EnergyPerformance
{
    public const string Version = "ISO 50006:2014";

    /// <summary>
    /// Consumption of a meter that reports the energy since its previous reading: the sum of its readings (or of its
    /// hourly sums); null when it reported nothing, so a silent meter is missing, not 0 kWh.
    /// </summary>
    public static double? Consumption(IEnumerable<double> intervalReadings)
    {
        double? total = null;
        foreach (var kwh in intervalReadings)
            total = (total ?? 0) + kwh;
        return total;
    }

    /// <summary>The sum of several boundaries' consumptions; those without data are left out; null when none has data.</summary>
    public static double? Total(IEnumerable<double?> consumptions)
    {
        double? total = null;
        foreach (var c in consumptions)
        {
            if (c is { } x)
                total = (total ?? 0) + x;
        }
        return total;
    }

    /// <summary>Change against the baseline: (current − baseline) / baseline; null when either is missing or the baseline is 0.</summary>
    public static double? ChangeAgainstBaseline(double? current, double? baseline) => PeriodComparison.RelativeChange(current, baseline);

    /// <summary>Specific energy consumption, kWh per good unit; null without energy data or without good output.</summary>
    public static double? PerGoodUnit(double? energy, double? goodUnits) =>
        energy is { } e && goodUnits is { } g && g > 0 && e >= 0 ? e / g : null;
}
