using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Live;

/// <summary>
/// Limits and rules of the in-memory live store (configuration section <c>Live</c>). Memory per tracked
/// sensor is about 400 bytes plus 24 bytes per <see cref="HistoryPoints"/>; at most <see cref="MaxSensors"/> are tracked.
/// </summary>
public sealed class LiveOptions : IValidatableObject
{
    public const string Section = "Live";

    /// <summary>Sensors tracked at most; readings of further sensors are not shown live (they are still stored).</summary>
    [Range(1, 10_000_000)]
    public int MaxSensors { get; set; } = 250_000;

    /// <summary>Seconds over which a site's readings per second are averaged.</summary>
    [Range(1, 300)]
    public int RateWindowSeconds { get; set; } = 10;

    /// <summary>A sensor counts as reporting while its last reading is younger than this many expected intervals; older is stale.</summary>
    [Range(1.0, 100.0)]
    public double ReportingIntervals { get; set; } = 3.0;

    /// <summary>A sensor silent for more than this many expected intervals (or that never reported) is offline.</summary>
    [Range(1.0, 10_000.0)]
    public double OfflineIntervals { get; set; } = 10.0;

    /// <summary>Identical consecutive readings that make a flatline (with <see cref="FlatlineIntervals"/>).</summary>
    [Range(2, 100_000)]
    public int FlatlineReadings { get; set; } = 10;

    /// <summary>Expected intervals the identical readings must span to make a flatline.</summary>
    [Range(1.0, 100_000.0)]
    public double FlatlineIntervals { get; set; } = 10.0;

    /// <summary>
    /// A value within this fraction of the sensor's range from its minimum or maximum is abnormal (the store only
    /// sees accepted readings, so "near the physical limits" stands for "out of range"); 0 turns the check off.
    /// </summary>
    [Range(0.0, 0.5)]
    public double NearLimitFraction { get; set; } = 0.02;

    /// <summary>Points of the sparkline history per sensor.</summary>
    [Range(2, 10_000)]
    public int HistoryPoints { get; set; } = 180;

    /// <summary>Time per sparkline point (<see cref="HistoryPoints"/> × this = the history's span; 180 × 5 s = 15 min).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HistoryResolution { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>At start-up the newest reading of each sensor younger than this is loaded from the database.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan WarmUpWindow { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Shortest time between two callbacks of one subscription.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan NotifyInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often sensors are checked for going stale or offline without readings (subscribers of a sensor whose state changed are told).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan StateCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OfflineIntervals < ReportingIntervals)
        {
            yield return new ValidationResult(
                $"{nameof(OfflineIntervals)} ({OfflineIntervals}) must not be less than {nameof(ReportingIntervals)} ({ReportingIntervals}).",
                [nameof(OfflineIntervals)]);
        }
    }
}
