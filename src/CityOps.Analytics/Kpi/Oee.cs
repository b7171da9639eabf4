namespace CityOps.Analytics.Kpi;

/// <summary>The inputs of ISO 22400-2 for one work unit over one period. Times in any one unit (minutes here).</summary>
/// <param name="PlannedBusyTime">PBT: planned operation time minus planned downtime.</param>
/// <param name="ActualProductionTime">APT: time the unit actually produced (PBT minus unplanned downtime).</param>
/// <param name="PlannedRunTimePerUnit">PRI: planned time to produce one unit, in the same time unit as the others.</param>
/// <param name="ProducedQuantity">PQ: everything produced, good or not.</param>
/// <param name="GoodQuantity">GQ: units that met the quality requirements.</param>
/// <param name="Failures">Number of unplanned stops (breakdowns) in the period.</param>
/// <param name="RepairTime">Total time spent in those stops.</param>
/// <param name="Energy">Energy used in the period (kWh), if measured.</param>
public sealed record OeeInputs(
    double PlannedBusyTime,
    double ActualProductionTime,
    double PlannedRunTimePerUnit,
    double ProducedQuantity,
    double GoodQuantity,
    int Failures = 0,
    double RepairTime = 0,
    double? Energy = null);

/// <summary>ISO 22400-2 KPIs. A ratio whose denominator is zero is null (undefined), never 0 — "no production
/// planned" is not "no performance".</summary>
public sealed record OeeResult(
    double? Availability,
    double? Effectiveness,
    double? QualityRatio,
    double? Oee,
    double? ScrapRatio,
    double? Mtbf,
    double? Mttr,
    double? EnergyPerGoodUnit);

/// <summary>
/// Overall equipment effectiveness and related KPIs as defined in ISO 22400-2:2014 "Automation systems and
/// integration — Key performance indicators (KPIs) for manufacturing operations management — Part 2:
/// Definitions and descriptions", clauses 5.2 (KPI descriptions): availability = APT / PBT, effectiveness =
/// PRI × PQ / APT, quality ratio = GQ / PQ, OEE index = availability × effectiveness × quality ratio, scrap
/// ratio = SQ / PQ, MTBF = APT / number of failures, MTTR = repair time / number of failures.
/// Version "ISO 22400-2:2014".
/// </summary>
public static class Oee
{
    public const string Version = "ISO 22400-2:2014";

    public static OeeResult Compute(OeeInputs i)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(i.PlannedBusyTime);
        ArgumentOutOfRangeException.ThrowIfNegative(i.ActualProductionTime);
        ArgumentOutOfRangeException.ThrowIfNegative(i.ProducedQuantity);
        ArgumentOutOfRangeException.ThrowIfNegative(i.GoodQuantity);
        if (i.GoodQuantity > i.ProducedQuantity)
            throw new ArgumentException("Good quantity cannot exceed produced quantity.", nameof(i));

        var availability = Ratio(i.ActualProductionTime, i.PlannedBusyTime);
        var effectiveness = Ratio(i.PlannedRunTimePerUnit * i.ProducedQuantity, i.ActualProductionTime);
        var quality = Ratio(i.GoodQuantity, i.ProducedQuantity);
        // A × E × Q reduces to PRI × GQ / PBT, which stays defined when nothing was produced or the unit never
        // ran: planned time with no good output is an OEE of 0, not a missing value.
        var oee = Ratio(i.PlannedRunTimePerUnit * i.GoodQuantity, i.PlannedBusyTime);
        return new OeeResult(
            availability,
            effectiveness,
            quality,
            oee,
            Ratio(i.ProducedQuantity - i.GoodQuantity, i.ProducedQuantity),
            i.Failures > 0 ? i.ActualProductionTime / i.Failures : null,
            i.Failures > 0 ? i.RepairTime / i.Failures : null,
            i.Energy is { } energy ? Ratio(energy, i.GoodQuantity) : null);
    }

    private static double? Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : null;
}
