namespace CityOps.Web.Features.Live;

/// <summary>How a sensor (or the worst of a group) is doing; a worse state has a larger value.</summary>
public enum LiveState
{
    Normal = 0,

    /// <summary>No reading within <see cref="LiveOptions.ReportingIntervals"/> expected intervals.</summary>
    Stale = 1,

    /// <summary>Near its physical limits or flatlined.</summary>
    Abnormal = 2,

    /// <summary>Never reported, or silent for more than <see cref="LiveOptions.OfflineIntervals"/> expected intervals.</summary>
    Offline = 3,
}

/// <summary>The readings of one sensor in one aligned window (by reading time).</summary>
public readonly record struct WindowAggregate(DateTime Start, int Count, double Min, double Max, double Mean, double Last, DateTime LastTs);

public enum WindowSize { OneSecond, OneMinute, FifteenMinutes }

/// <summary>
/// A sensor as the live screens see it now: newest reading, quality, and per window size the current window
/// (null once the clock has passed its end) and the last closed one.
/// </summary>
public sealed record SensorSnapshot(int SensorId, string Key, string Unit, DateTime? LastTs, double? LastValue, LiveState State, string? QualityIssue,
    WindowAggregate? Current1s, WindowAggregate? Last1s, WindowAggregate? Current1m, WindowAggregate? Last1m, WindowAggregate? Current15m, WindowAggregate? Last15m)
{
    public WindowAggregate? Current(WindowSize size) => size switch
    {
        WindowSize.OneSecond => Current1s,
        WindowSize.OneMinute => Current1m,
        _ => Current15m,
    };

    public WindowAggregate? Last(WindowSize size) => size switch
    {
        WindowSize.OneSecond => Last1s,
        WindowSize.OneMinute => Last1m,
        _ => Last15m,
    };
}

/// <summary>
/// The sensors of an asset (with its descendants) or a site: how many there are, how many report (a reading
/// within <see cref="LiveOptions.ReportingIntervals"/> intervals), how many are in each bad state, the worst.
/// </summary>
public sealed record GroupLiveStatus(int Total, int Reporting, int Stale, int Abnormal, int Offline, LiveState Worst)
{
    public static GroupLiveStatus Empty { get; } = new(0, 0, 0, 0, 0, LiveState.Normal);
}
