namespace CityOps.Analytics.Kpi;

/// <summary>One hour of a water zone: inflow volume (system input) and billed metered volume, m³; null when not reported.</summary>
public readonly record struct WaterHour(DateTime Start, double? InflowVolume, double? BilledVolume);

/// <summary>The balance of the hours in which both the inflow and the billed consumption were reported.</summary>
/// <param name="Hours">Hours that entered the balance.</param>
/// <param name="InflowHours">Hours with an inflow reading; more than <paramref name="Hours"/> when billing data is missing.</param>
public sealed record WaterBalanceResult(double SystemInputVolume, double BilledConsumption, double? NonRevenueWaterRatio, int Hours, int InflowHours)
{
    public double NonRevenueWaterVolume => SystemInputVolume - BilledConsumption;
}

/// <summary>
/// Water balance per the IWA standard water balance (Alegre et al., "Performance Indicators for Water Supply
/// Services", IWA Publishing, 3rd ed. 2016): non-revenue water = system input volume − billed authorised
/// consumption, usually reported as a share of system input volume. Minimum night flow (the lowest flow in the
/// small hours, when legitimate use is least) is the standard leak indicator (UK Water Industry Research,
/// "Managing Leakage" Report E, 1994; Farley and Trow, "Losses in Water Distribution Networks", IWA 2003, ch. 6).
/// Version "IWA-2016".
/// </summary>
public static class WaterBalance
{
    public const string Version = "IWA-2016";

    /// <summary>Non-revenue water as a fraction of system input; null when there was no input.</summary>
    public static double? NonRevenueWaterRatio(double systemInputVolume, double billedConsumption) =>
        systemInputVolume > 0 ? (systemInputVolume - billedConsumption) / systemInputVolume : null;

    /// <summary>
    /// The balance over the hours where both volumes are known. An hour without billing data is left out on both sides:
    /// counting its inflow against no billing would report the gap as lost water. Null when no hour has both.
    /// A negative ratio (more billed than supplied) is returned as it is: it points at a metering error, not at a good network.
    /// </summary>
    public static WaterBalanceResult? Balance(IEnumerable<WaterHour> hours)
    {
        double input = 0, billed = 0;
        int matched = 0, inflowHours = 0;
        foreach (var h in hours)
        {
            if (h.InflowVolume is not { } i)
                continue;
            inflowHours++;
            if (h.BilledVolume is not { } b)
                continue;
            input += i;
            billed += b;
            matched++;
        }
        return matched == 0 ? null : new WaterBalanceResult(input, billed, NonRevenueWaterRatio(input, billed), matched, inflowHours);
    }

    /// <summary>
    /// The minimum of the flow averages whose local time of day falls in [<paramref name="from"/>, <paramref name="to"/>)
    /// (default 02:00–04:00); null when no average falls in the window.
    /// </summary>
    public static double? MinimumNightFlow(IEnumerable<(DateTime LocalTime, double MeanFlow)> averages, TimeOnly? from = null, TimeOnly? to = null)
    {
        double? min = null;
        foreach (var (_, flow) in Nightly(averages, from, to))
        {
            if (min is null || flow < min)
                min = flow;
        }
        return min;
    }

    /// <summary>
    /// Each night's minimum night flow (the lowest average in the window, by the local date the window falls on), in
    /// date order. Nights without a reading in the window are absent, never 0.
    /// </summary>
    public static IReadOnlyList<(DateOnly Night, double Flow)> Nightly(IEnumerable<(DateTime LocalTime, double MeanFlow)> averages, TimeOnly? from = null, TimeOnly? to = null)
    {
        var start = from ?? new TimeOnly(2, 0);
        var end = to ?? new TimeOnly(4, 0);
        var nights = new SortedDictionary<DateOnly, double>();
        foreach (var (time, flow) in averages)
        {
            var t = TimeOnly.FromDateTime(time);
            if (t < start || t >= end)
                continue;
            var night = DateOnly.FromDateTime(time);
            if (!nights.TryGetValue(night, out var min) || flow < min)
                nights[night] = flow;
        }
        return nights.Select(kv => (kv.Key, kv.Value)).ToList();
    }
}
