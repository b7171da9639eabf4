namespace CityOps.Analytics.Alerts;

/// <summary>One area's alarm rate: a flood is more new alarms in the window than the operator can handle.</summary>
/// <param name="Count">New alarms in the sliding window ending at the last time the monitor saw.</param>
/// <param name="Since">When the current flood began (the alarm that tipped the count over), if flooding.</param>
public readonly record struct FloodStatus(bool Flooding, DateTime? Since, int Count);

/// <summary>
/// Counts new alarms per operator area in a sliding window (EEMUA 191: more than 10 in 10 minutes is a flood).
/// Pure and deterministic: it only knows the times it is given, which must not go backwards.
/// </summary>
public sealed class FloodMonitor
{
    private readonly Dictionary<string, Area> _areas = new(StringComparer.Ordinal);

    /// <param name="floodAlarms">More than this many new alarms within <paramref name="window"/> is a flood.</param>
    public FloodMonitor(int floodAlarms, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(floodAlarms, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        FloodAlarms = floodAlarms;
        Window = window;
    }

    public int FloodAlarms { get; }

    public TimeSpan Window { get; }

    /// <summary>Counts a new alarm in <paramref name="area"/>; returns true if this alarm started a flood.</summary>
    public bool Record(string area, DateTime at)
    {
        ArgumentNullException.ThrowIfNull(area);
        if (!_areas.TryGetValue(area, out var state))
        {
            state = new Area();
            _areas.Add(area, state);
        }
        Prune(state, at);
        state.Alarms.Enqueue(at);
        if (state.Since is null && state.Alarms.Count > FloodAlarms)
        {
            state.Since = at;
            return true;
        }
        return false;
    }

    /// <summary>Lets time pass: alarms leave the window and floods end.</summary>
    public void Advance(DateTime now)
    {
        foreach (var state in _areas.Values)
        {
            Prune(state, now);
        }
    }

    public FloodStatus Status(string area) =>
        _areas.TryGetValue(area, out var state) ? new FloodStatus(state.Since is not null, state.Since, state.Alarms.Count) : default;

    /// <summary>Every area that has had an alarm, with its status.</summary>
    public IReadOnlyDictionary<string, FloodStatus> Areas =>
        _areas.ToDictionary(a => a.Key, a => new FloodStatus(a.Value.Since is not null, a.Value.Since, a.Value.Alarms.Count), StringComparer.Ordinal);

    private void Prune(Area state, DateTime now)
    {
        var cutoff = now - Window;
        while (state.Alarms.Count > 0 && state.Alarms.Peek() <= cutoff)
        {
            state.Alarms.Dequeue();
        }
        if (state.Alarms.Count <= FloodAlarms)
        {
            state.Since = null;
        }
    }

    private sealed class Area
    {
        public Queue<DateTime> Alarms { get; } = new();

        public DateTime? Since { get; set; }
    }
}
