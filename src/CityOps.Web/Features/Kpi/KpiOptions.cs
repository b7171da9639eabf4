using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Kpi;

/// <summary>Targets and site facts of the KPI pages (configuration section <c>Kpi</c>).</summary>
public sealed class KpiOptions : IValidatableObject
{
    public const string Section = "Kpi";

    /// <summary>OEE target; 85 % is the "world class" benchmark (Nakajima).</summary>
    [Range(0.0, 1.0)] public double OeeTarget { get; set; } = 0.85;
    [Range(0.0, 1.0)] public double AvailabilityTarget { get; set; } = 0.90;
    [Range(0.0, 2.0)] public double EffectivenessTarget { get; set; } = 0.95;
    [Range(0.0, 1.0)] public double QualityTarget { get; set; } = 0.99;
    [Range(0.0, 1.0)] public double ScrapRatioTarget { get; set; } = 0.01;
    /// <summary>Mean time between failures target, minutes.</summary>
    [Range(0.0, 1e6)] public double MtbfTargetMinutes { get; set; } = 480;
    /// <summary>Mean time to repair target, minutes.</summary>
    [Range(0.0, 1e6)] public double MttrTargetMinutes { get; set; } = 30;
    [Range(0.0, 1e6)] public double EnergyPerGoodUnitTargetKwh { get; set; } = 0.5;
    /// <summary>A KPI within this fraction of its target on the wrong side is amber rather than red.</summary>
    [Range(0.0, 1.0)] public double AmberBand { get; set; } = 0.10;

    /// <summary>Ideal production rate (parts per minute at 100 % line speed) per line key; the inverse is ISO 22400's planned run time per unit.</summary>
    public Dictionary<string, double> IdealPartsPerMinute { get; set; } = new(StringComparer.Ordinal)
    {
        ["plant1.line1"] = 15, ["plant1.line2"] = 17, ["plant1.line3"] = 16,
    };

    /// <summary>Ideal rate for lines not listed in <see cref="IdealPartsPerMinute"/>.</summary>
    [Range(0.001, 1e6)] public double DefaultIdealPartsPerMinute { get; set; } = 12;

    /// <summary>The shift calendar that gives planned busy time; the default is the demo plant's.</summary>
    [Required] public ShiftCalendarOptions Shifts { get; set; } = new();

    [Range(0.0, 500.0)] public double AqiTarget { get; set; } = 50;
    /// <summary>Congestion level target (0.3 = trips take 30 % longer than in free flow).</summary>
    [Range(0.0, 10.0)] public double CongestionTarget { get; set; } = 0.3;
    /// <summary>Non-revenue water target as a share of system input (IWA: well-run utilities stay below about 15 %).</summary>
    [Range(0.0, 1.0)] public double NonRevenueWaterTarget { get; set; } = 0.15;
    /// <summary>
    /// Largest accepted rise of a zone's minimum night flow against the previous period (0.1 = 10 %): legitimate night
    /// use is steady, so a rising night flow is the first sign of a new leak (UKWIR "Managing Leakage" Report E).
    /// </summary>
    [Range(0.0, 10.0)] public double NightFlowRiseTarget { get; set; } = 0.10;
    /// <summary>Target change of energy use against the same period last week (0 = no more than last week).</summary>
    [Range(-1.0, 10.0)] public double EnergyChangeTarget { get; set; } = 0;

    /// <summary>
    /// Free-flow speed (km/h) per intersection key, for the congestion level. Unlisted intersections use the highest
    /// hourly mean speed they reported in the <see cref="FreeFlowLookback"/> before the period's end.
    /// </summary>
    public Dictionary<string, double> FreeFlowSpeedKmh { get; set; } = new(StringComparer.Ordinal);
    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00")] public TimeSpan FreeFlowLookback { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Local start and end of the minimum-night-flow window (IWA / UKWIR: the small hours).</summary>
    public TimeOnly NightFrom { get; set; } = new(2, 0);
    public TimeOnly NightTo { get; set; } = new(4, 0);

    /// <summary>The signal name of a water zone's billed (metered) consumption sensor, volume per interval in m³.</summary>
    [Required, MinLength(1)] public string BilledConsumptionSignal { get; set; } = "billed";

    /// <summary>Alarm flood threshold: more than this many alarms in 10 minutes (EEMUA 191: 10).</summary>
    [Range(1, 1000)] public int AlarmFloodThreshold { get; set; } = 10;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NightTo <= NightFrom)
            yield return new ValidationResult("Kpi:NightTo must be after Kpi:NightFrom.", [nameof(NightTo)]);
        foreach (var (line, rate) in IdealPartsPerMinute)
        {
            if (rate <= 0)
                yield return new ValidationResult($"Kpi:IdealPartsPerMinute:{line} must be positive.", [nameof(IdealPartsPerMinute)]);
        }
        foreach (var (x, speed) in FreeFlowSpeedKmh)
        {
            if (speed <= 0)
                yield return new ValidationResult($"Kpi:FreeFlowSpeedKmh:{x} must be positive.", [nameof(FreeFlowSpeedKmh)]);
        }
        foreach (var r in Shifts.Validate())
            yield return r;
    }

    public double IdealRate(string lineKey) => IdealPartsPerMinute.TryGetValue(lineKey, out var r) ? r : DefaultIdealPartsPerMinute;

    public double? FreeFlowSpeed(string intersectionKey) => FreeFlowSpeedKmh.TryGetValue(intersectionKey, out var s) ? s : null;
}

/// <summary>
/// Shifts that start at fixed local times on given days, each with planned stops (handover, break) at offsets
/// from its start. Planned busy time (ISO 22400 PBT) is the shifts' time less their planned stops.
/// </summary>
public sealed class ShiftCalendarOptions
{
    /// <summary>The shifts; empty (the default) means the demo plant's calendar, <see cref="Demo"/>. Configuration
    /// binding adds to a list rather than replacing it, hence an empty default.</summary>
    public List<ShiftOptions> Shifts { get; set; } = [];

    /// <summary>Planned stops of every shift, as offsets from its start.</summary>
    public List<PlannedStopOptions> PlannedStops { get; set; } = [];

    /// <summary>
    /// The demo plant's calendar as the simulator runs it: three 8-hour shifts from Monday 06:00 to Saturday 06:00
    /// and an early shift on Saturday, each with a 15-minute handover at its start and a 30-minute break after four hours.
    /// </summary>
    public static ShiftCalendarOptions Demo { get; } = new()
    {
        Shifts =
    [
        new() { Name = "Early", Start = new TimeOnly(6, 0), Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday] },
        new() { Name = "Late", Start = new TimeOnly(14, 0), Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday] },
        new() { Name = "Night", Start = new TimeOnly(22, 0), Days = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday] },
    ],
        PlannedStops =
    [
        new() { Name = "Handover", Offset = TimeSpan.Zero, Length = TimeSpan.FromMinutes(15) },
        new() { Name = "Break", Offset = TimeSpan.FromHours(4), Length = TimeSpan.FromMinutes(30) },
    ],
    };

    /// <summary>The calendar in force: the configured one, or the demo's when none is configured.</summary>
    public ShiftCalendarOptions Effective => Shifts.Count == 0 ? Demo : this;

    internal IEnumerable<ValidationResult> Validate()
    {
        foreach (var s in Shifts)
        {
            if (s.Length <= TimeSpan.Zero || s.Length > TimeSpan.FromHours(24))
                yield return new ValidationResult($"Shift '{s.Name}' must last between 0 and 24 hours.");
        }
        foreach (var p in PlannedStops)
        {
            if (p.Offset < TimeSpan.Zero || p.Length <= TimeSpan.Zero)
                yield return new ValidationResult($"Planned stop '{p.Name}' needs a non-negative offset and a positive length.");
        }
    }
}

public sealed class ShiftOptions
{
    public string Name { get; set; } = "";
    /// <summary>Local start time.</summary>
    public TimeOnly Start { get; set; }
    public TimeSpan Length { get; set; } = TimeSpan.FromHours(8);
    /// <summary>The days on which the shift starts.</summary>
    public List<DayOfWeek> Days { get; set; } = [];
}

public sealed class PlannedStopOptions
{
    public string Name { get; set; } = "";
    public TimeSpan Offset { get; set; }
    public TimeSpan Length { get; set; }
}
