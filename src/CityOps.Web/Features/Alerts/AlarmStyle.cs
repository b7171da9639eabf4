using System.Globalization;
using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// How every screen draws an alarm (ISA-101 / ISA-18.2): each priority has its own colour, shape and word, so no
/// one depends on telling colours apart; states are words. Colours are CSS variables defined in app.css.
/// </summary>
public static class AlarmStyle
{
    /// <summary>Every priority, most urgent first.</summary>
    public static IReadOnlyList<AlarmPriority> Priorities { get; } = [AlarmPriority.Critical, AlarmPriority.High, AlarmPriority.Medium, AlarmPriority.Low];

    /// <summary>The priority's name in CSS classes and data attributes.</summary>
    public static string Name(AlarmPriority priority) => priority switch
    {
        AlarmPriority.Critical => "critical",
        AlarmPriority.High => "high",
        AlarmPriority.Medium => "medium",
        _ => "low",
    };

    public static string Label(AlarmPriority priority) => priority switch
    {
        AlarmPriority.Critical => "Critical",
        AlarmPriority.High => "High",
        AlarmPriority.Medium => "Medium",
        _ => "Low",
    };

    /// <summary>Diamond, triangle, square, circle: the shape alone tells the priority on a grey screen or to a colour-blind operator.</summary>
    public static string Glyph(AlarmPriority priority) => priority switch
    {
        AlarmPriority.Critical => "◆",
        AlarmPriority.High => "▲",
        AlarmPriority.Medium => "■",
        _ => "●",
    };

    public static string Colour(AlarmPriority priority) => $"var(--cityops-alarm-{Name(priority)})";

    public static string StateLabel(AlarmState state) => state switch
    {
        AlarmState.ActiveUnacknowledged => "Unacknowledged",
        AlarmState.ActiveAcknowledged => "Acknowledged",
        AlarmState.ReturnedUnacknowledged => "Cleared, unacknowledged",
        AlarmState.Shelved => "Shelved",
        AlarmState.SuppressedByDesign => "Suppressed",
        AlarmState.OutOfService => "Out of service",
        _ => "Normal",
    };

    /// <summary>An operator still owes this alarm an acknowledgement.</summary>
    public static bool IsUnacknowledged(AlarmState state) => state is AlarmState.ActiveUnacknowledged or AlarmState.ReturnedUnacknowledged;

    /// <summary>Shown in the operator's list (shelved, suppressed and out-of-service alarms are hidden from it by design).</summary>
    public static bool IsAnnunciated(AlarmState state) =>
        state is AlarmState.ActiveUnacknowledged or AlarmState.ActiveAcknowledged or AlarmState.ReturnedUnacknowledged;

    /// <summary>The most urgent priority among the annunciated alarms, or null when there are none.</summary>
    public static AlarmPriority? Worst(IEnumerable<AlarmView> alarms)
    {
        AlarmPriority? worst = null;
        foreach (var a in alarms)
        {
            if (IsAnnunciated(a.State) && (worst is null || a.Priority > worst))
            {
                worst = a.Priority;
            }
        }
        return worst;
    }

    /// <summary>Priority first, then newest first: what the operator should look at is at the top.</summary>
    public static IOrderedEnumerable<AlarmView> InListOrder(IEnumerable<AlarmView> alarms) =>
        alarms.OrderByDescending(a => a.Priority).ThenByDescending(a => a.RaisedAt).ThenBy(a => a.Id);

    /// <summary>A time in the site's zone: day and month, 24-hour time to the second, and the UTC offset (shift teams span midnight).</summary>
    public static string Time(DateTime utc, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
        var offset = zone.GetUtcOffset(utc);
        var offsetText = offset == TimeSpan.Zero ? "UTC" : $"UTC{(offset < TimeSpan.Zero ? "-" : "+")}{offset:hh\\:mm}";
        return $"{local.ToString("dd.MM. HH:mm:ss", CultureInfo.InvariantCulture)} {offsetText}";
    }

    public static string Value(double? value, string? unit) => value switch
    {
        null => "–",
        { } v when Math.Abs(v) >= 100 => $"{v.ToString("0", CultureInfo.InvariantCulture)} {unit}".TrimEnd(),
        { } v => $"{v.ToString("0.0#", CultureInfo.InvariantCulture)} {unit}".TrimEnd(),
    };
}
