namespace CityOps.Web.Features.SensorDetail;

/// <summary>The history ranges an operator can pick; <see cref="Custom"/> uses the entered start and end.</summary>
public enum HistoryRangeKind { Hour, Day, Week, Month, Custom }

public static class HistoryRanges
{
    public static IReadOnlyList<HistoryRangeKind> Presets { get; } = [HistoryRangeKind.Hour, HistoryRangeKind.Day, HistoryRangeKind.Week, HistoryRangeKind.Month];

    public static string Label(HistoryRangeKind kind) => kind switch
    {
        HistoryRangeKind.Hour => "1 h",
        HistoryRangeKind.Day => "24 h",
        HistoryRangeKind.Week => "7 d",
        HistoryRangeKind.Month => "30 d",
        _ => "Custom",
    };

    public static TimeSpan Length(HistoryRangeKind kind) => kind switch
    {
        HistoryRangeKind.Hour => TimeSpan.FromHours(1),
        HistoryRangeKind.Day => TimeSpan.FromDays(1),
        HistoryRangeKind.Week => TimeSpan.FromDays(7),
        HistoryRangeKind.Month => TimeSpan.FromDays(30),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A custom range has no fixed length."),
    };

    public static string Describe(HistoryResolution resolution) => resolution switch
    {
        HistoryResolution.Raw => "every reading",
        HistoryResolution.Minute => "1-minute min/mean/max",
        _ => "1-hour min/mean/max",
    };
}
