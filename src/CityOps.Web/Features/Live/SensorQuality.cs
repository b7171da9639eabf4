using System.Globalization;
using CityOps.Analytics;
using CityOps.Web.Features.Assets;

namespace CityOps.Web.Features.Live;

/// <summary>The data-quality rules of the live store, as a pure function of a sensor's latest facts and the clock.</summary>
public static class SensorQuality
{
    public static (LiveState State, string? Issue) Evaluate(SensorInfo sensor, DateTime? lastTs, double? lastValue, bool flatline, DateTime now, LiveOptions options)
    {
        if (lastTs is not { } last || lastValue is not { } value)
        {
            return (LiveState.Offline, "No readings yet");
        }
        var interval = ExpectedInterval(sensor);
        var age = now > last ? now - last : TimeSpan.Zero;
        if (age > interval * options.OfflineIntervals)
        {
            return (LiveState.Offline, $"Silent for {Describe(age)}");
        }
        var span = sensor.Max - sensor.Min;
        if (options.NearLimitFraction > 0 && span > 0 && LimitsSignalTrouble(sensor.Metric))
        {
            var margin = span * options.NearLimitFraction;
            // A lower limit of zero is a natural floor (no flow at night, no current while a machine is stopped).
            if (sensor.Min != 0 && value <= sensor.Min + margin)
            {
                return (LiveState.Abnormal, $"Near its lower limit ({sensor.Min.ToString(CultureInfo.InvariantCulture)} {sensor.Unit})");
            }
            if (value >= sensor.Max - margin)
            {
                return (LiveState.Abnormal, $"Near its upper limit ({sensor.Max.ToString(CultureInfo.InvariantCulture)} {sensor.Unit})");
            }
        }
        if (flatline)
        {
            return (LiveState.Abnormal, "Flatline: the same value over and over");
        }
        if (age > interval * options.ReportingIntervals)
        {
            return (LiveState.Stale, $"No reading for {Describe(age)}");
        }
        return (LiveState.Normal, null);
    }

    /// <summary>
    /// Counters, machine states and shares of capacity rest at their range's ends in normal operation (no scrap,
    /// running, a full road, lights at 100 %), so being there says nothing about the sensor.
    /// </summary>
    private static bool LimitsSignalTrouble(MetricKind metric) =>
        metric is not (MetricKind.GoodParts or MetricKind.ScrapParts or MetricKind.MachineState or MetricKind.Energy or MetricKind.Volume
            or MetricKind.Occupancy or MetricKind.LightingLevel);

    public static bool IsReporting(SensorInfo sensor, DateTime? lastTs, DateTime now, LiveOptions options) =>
        lastTs is { } last && now - last <= ExpectedInterval(sensor) * options.ReportingIntervals;

    public static TimeSpan ExpectedInterval(SensorInfo sensor) => TimeSpan.FromSeconds(Math.Max(sensor.IntervalSeconds, 1));

    private static string Describe(TimeSpan age) =>
        age.TotalHours >= 1 ? $"{(int)age.TotalHours} h {age.Minutes} min"
        : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes} min {age.Seconds} s"
        : $"{(int)age.TotalSeconds} s";
}
