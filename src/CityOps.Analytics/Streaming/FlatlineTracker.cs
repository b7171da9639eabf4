namespace CityOps.Analytics.Streaming;

/// <summary>
/// The run of identical values at the end of a sensor's series (fed in reading-time order): how many
/// readings and over how long. A stuck transmitter or a frozen gateway repeats its last value.
/// </summary>
public struct FlatlineTracker
{
    private bool _any;

    public double Value { get; private set; }
    public int RunLength { get; private set; }
    public long RunStartTicks { get; private set; }
    public long RunEndTicks { get; private set; }

    /// <summary>A tracker in the state it had when its properties were read (for persisted detector state).</summary>
    public static FlatlineTracker Restore(double value, int runLength, long runStartTicks, long runEndTicks) => new()
    {
        _any = runLength > 0, Value = value, RunLength = runLength, RunStartTicks = runStartTicks, RunEndTicks = runEndTicks,
    };

    public void Add(long ticks, double value)
    {
        if (_any && value.Equals(Value))
        {
            RunLength++;
            RunEndTicks = ticks;
            return;
        }
        _any = true;
        Value = value;
        RunLength = 1;
        RunStartTicks = ticks;
        RunEndTicks = ticks;
    }

    /// <summary>At least <paramref name="minReadings"/> identical readings spanning at least <paramref name="minDuration"/>.</summary>
    public readonly bool IsFlat(int minReadings, TimeSpan minDuration) =>
        RunLength >= minReadings && RunEndTicks - RunStartTicks >= minDuration.Ticks;
}
