namespace CityOps.Web.Features.Administration.Rules;

public enum DurationUnit { Seconds, Minutes, Hours, Days }

/// <summary>Durations as an amount of a unit, the largest unit that shows the value as a whole number.</summary>
public static class Durations
{
    public static DurationUnit BestUnit(TimeSpan value) =>
        value == TimeSpan.Zero ? DurationUnit.Seconds
        : value.Ticks % TimeSpan.TicksPerDay == 0 ? DurationUnit.Days
        : value.Ticks % TimeSpan.TicksPerHour == 0 ? DurationUnit.Hours
        : value.Ticks % TimeSpan.TicksPerMinute == 0 ? DurationUnit.Minutes
        : DurationUnit.Seconds;

    public static double Amount(TimeSpan value, DurationUnit unit) => unit switch
    {
        DurationUnit.Days => value.TotalDays,
        DurationUnit.Hours => value.TotalHours,
        DurationUnit.Minutes => value.TotalMinutes,
        _ => value.TotalSeconds,
    };

    public static TimeSpan Of(double amount, DurationUnit unit) => unit switch
    {
        DurationUnit.Days => TimeSpan.FromDays(amount),
        DurationUnit.Hours => TimeSpan.FromHours(amount),
        DurationUnit.Minutes => TimeSpan.FromMinutes(amount),
        _ => TimeSpan.FromSeconds(amount),
    };

    /// <summary>A duration as a person says it: "45 s", "12 min", "1 h 30 min", "2 d 3 h".</summary>
    public static string Text(TimeSpan value) =>
        value < TimeSpan.FromMinutes(1) ? $"{value.TotalSeconds:0.#} s"
        : value < TimeSpan.FromHours(1) ? (value.Seconds == 0 ? $"{value.Minutes} min" : $"{value.Minutes} min {value.Seconds} s")
        : value < TimeSpan.FromDays(1) ? (value.Minutes == 0 ? $"{value.Hours} h" : $"{value.Hours} h {value.Minutes} min")
        : value.Hours == 0 ? $"{(int)value.TotalDays} d" : $"{(int)value.TotalDays} d {value.Hours} h";
}
