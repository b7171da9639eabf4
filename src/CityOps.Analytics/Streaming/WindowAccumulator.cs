namespace CityOps.Analytics.Streaming;

/// <summary>
/// Count, min, max, sum and last value of the readings in one aligned window. <see cref="Last"/> is the
/// value with the newest reading time (on a tie, the one added later), so the order of arrival does not
/// matter for anything but ties.
/// </summary>
public struct WindowAccumulator
{
    public long StartTicks { get; private set; }
    public int Count { get; private set; }
    public double Min { get; private set; }
    public double Max { get; private set; }
    public double Sum { get; private set; }
    public double Last { get; private set; }
    public long LastTicks { get; private set; }

    public readonly bool IsEmpty => Count == 0;

    public readonly double Mean => Count == 0 ? double.NaN : Sum / Count;

    public static WindowAccumulator Start(long startTicks) => new()
    {
        StartTicks = startTicks, Min = double.PositiveInfinity, Max = double.NegativeInfinity, LastTicks = long.MinValue,
    };

    public void Add(long ticks, double value)
    {
        Count++;
        Sum += value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        if (ticks >= LastTicks)
        {
            Last = value;
            LastTicks = ticks;
        }
    }
}

/// <summary>Where <see cref="TumblingWindow.Add"/> counted a reading.</summary>
public enum WindowPlacement
{
    /// <summary>In the current window (possibly one it opened).</summary>
    Current,

    /// <summary>Late, in the last closed window.</summary>
    LastClosed,

    /// <summary>Late, for a window older than the last closed one: not counted here.</summary>
    Dropped,
}

/// <summary>
/// The current and the last closed window of one size, aligned to multiples of the size since 0001-01-01
/// (so 1 s, 1 min and 15 min windows start on the second, the minute and the quarter hour), by reading time.
/// <para>The rule for late readings: a reading of the current window merges into it; a reading of a newer
/// window closes the current one (it becomes the last closed window) and opens that window; a reading of the
/// last closed window merges into it; a reading of any older window is dropped here (the newest value and the
/// history ring of the store may still take it, and the database's rollups always do).</para>
/// </summary>
public struct TumblingWindow(long sizeTicks)
{
    private WindowAccumulator _current;
    private WindowAccumulator _lastClosed;

    public readonly long SizeTicks => sizeTicks;

    /// <summary>The window of the newest reading time seen, regardless of the clock.</summary>
    public readonly WindowAccumulator Current => _current;

    public readonly WindowAccumulator LastClosed => _lastClosed;

    public readonly long Align(long ticks) => ticks - ticks % sizeTicks;

    public WindowPlacement Add(long ticks, double value)
    {
        var start = Align(ticks);
        if (_current.IsEmpty || start > _current.StartTicks)
        {
            if (!_current.IsEmpty)
            {
                _lastClosed = _current;
            }
            _current = WindowAccumulator.Start(start);
            _current.Add(ticks, value);
            return WindowPlacement.Current;
        }
        if (start == _current.StartTicks)
        {
            _current.Add(ticks, value);
            return WindowPlacement.Current;
        }
        if (!_lastClosed.IsEmpty && start == _lastClosed.StartTicks)
        {
            _lastClosed.Add(ticks, value);
            return WindowPlacement.LastClosed;
        }
        return WindowPlacement.Dropped;
    }

    /// <summary>
    /// The windows as seen at <paramref name="nowTicks"/>: once the clock has passed the end of the current
    /// window it is closed even if no newer reading arrived, so a silent sensor shows no current window.
    /// </summary>
    public readonly (WindowAccumulator? Current, WindowAccumulator? LastClosed) View(long nowTicks)
    {
        if (_current.IsEmpty)
        {
            return (null, null);
        }
        if (nowTicks >= _current.StartTicks + sizeTicks)
        {
            return (null, _current);
        }
        return (_current, _lastClosed.IsEmpty ? null : _lastClosed);
    }
}
