using System.ComponentModel.DataAnnotations;
using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Alerts;

/// <summary>Settings of the alert engine and the alarm lifecycle (configuration section <c>Alerts</c>).</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>Longest an operator may shelve an alarm for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan MaxShelveDuration { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How often the engine is told that time passed (stale data, off-delays, shelve expiry, stopped lines).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ClockInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the learned model states are written to the database (also on shutdown).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ModelStateSaveInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Batches of committed readings waiting for the engine at most; beyond it readings are not evaluated (and logged).</summary>
    [Range(100, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Days of history "re-learn" replays when the caller does not say.</summary>
    [Range(1, 62)]
    public int RelearnDays { get; set; } = 7;

    /// <summary>A binding that raises this many times within <see cref="ChatterWindow"/> is chattering.</summary>
    [Range(2, 1000)]
    public int ChatterCycles { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ChatterWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>More than this many new alarms within <see cref="FloodWindow"/> in one area is a flood (EEMUA 191: 10 in 10 min).</summary>
    [Range(1, 100_000)]
    public int FloodAlarms { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FloodWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The engine settings these options give: the live engine and backtests run with the same.</summary>
    public RuleEngineOptions EngineOptions() => new(ChatterCycles, ChatterWindow, FloodAlarms, FloodWindow);
}
