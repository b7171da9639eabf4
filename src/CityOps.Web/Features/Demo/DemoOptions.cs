using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Demo;

/// <summary>How the in-process digital twin feeds demo mode (section <c>Demo</c>).</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed of the twin; the same seed gives the same readings.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>History written on the first run (and to fill a gap after downtime), so charts and models have data at once.</summary>
    [Range(0, 24 * 60)]
    public int BackfillHours { get; set; } = 24;

    /// <summary>Sampling of the backfilled history: each sensor at its own interval or this, whichever is longer.</summary>
    [Range(1, 3600)]
    public int BackfillIntervalSeconds { get; set; } = 60;

    /// <summary>How often the twin is advanced and its readings submitted.</summary>
    [Range(100, 60_000)]
    public int TickMilliseconds { get; set; } = 1000;

    /// <summary>Schedules the demo day's faults (one of each kind) for every day the twin runs.</summary>
    public bool ScheduleFaults { get; set; } = true;

    /// <summary>Readings kept for resubmission while the database is unavailable; the oldest are dropped beyond it.</summary>
    [Range(1_000, 10_000_000)]
    public int MaxPendingReadings { get; set; } = 500_000;
}
