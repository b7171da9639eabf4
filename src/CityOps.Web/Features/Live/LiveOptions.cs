using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Live;

/// <summary>Limits of the in-memory live store (configuration section <c>Live</c>).</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>Sensors tracked at most; readings of further sensors are not shown live (they are still stored).</summary>
    [Range(1, 10_000_000)]
    public int MaxSensors { get; set; } = 250_000;

    /// <summary>Seconds over which a site's readings per second are averaged.</summary>
    [Range(1, 300)]
    public int RateWindowSeconds { get; set; } = 10;

    /// <summary>A sensor counts as reporting while its last reading is younger than this many expected intervals.</summary>
    [Range(1.0, 100.0)]
    public double ReportingIntervals { get; set; } = 3.0;

    /// <summary>Shortest time between two callbacks of one subscription.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:10")]
    public TimeSpan NotifyInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
