namespace CityOps.Analytics.Kpi;

/// <summary>
/// Traffic congestion level as used by travel-time congestion indices (e.g. TomTom Traffic Index, FHWA Urban
/// Congestion Report "travel time index" − 1): (actual travel time − free-flow travel time) / free-flow travel
/// time. From spot speeds on a corridor of fixed length the travel times are length / speed, so the level is
/// free-flow speed / actual speed − 1. Version "TTI-1".
/// </summary>
public static class Congestion
{
    public const string Version = "TTI-1";

    /// <summary>The congestion level of one corridor; null when there is no speed (no data, or standstill).</summary>
    public static double? Level(double actualTravelTime, double freeFlowTravelTime) =>
        freeFlowTravelTime > 0 && actualTravelTime >= 0 ? (actualTravelTime - freeFlowTravelTime) / freeFlowTravelTime : null;

    /// <summary>The level from spot speeds (same corridor length cancels out); null when the speed is 0 or missing.</summary>
    public static double? LevelFromSpeeds(double? actualSpeed, double freeFlowSpeed) =>
        actualSpeed is { } v && v > 0 && freeFlowSpeed > 0 ? freeFlowSpeed / v - 1 : null;

    /// <summary>
    /// The level of several corridors together (a district): total actual over total free-flow travel time, so long
    /// corridors weigh more. Corridors without data are left out; null when none has data.
    /// </summary>
    public static double? Combined(IEnumerable<(double? ActualTravelTime, double FreeFlowTravelTime)> corridors)
    {
        double actual = 0, free = 0;
        foreach (var (a, f) in corridors)
        {
            if (a is not { } t || f <= 0)
                continue;
            actual += t;
            free += f;
        }
        return free > 0 ? (actual - free) / free : null;
    }
}

/// <summary>A figure against the same figure of a comparison period (e.g. the same period last week).</summary>
public static class PeriodComparison
{
    /// <summary>(current − previous) / previous; null when either is missing or the previous is 0.</summary>
    public static double? RelativeChange(double? current, double? previous) =>
        current is { } c && previous is { } p && p != 0 ? (c - p) / Math.Abs(p) : null;
}
