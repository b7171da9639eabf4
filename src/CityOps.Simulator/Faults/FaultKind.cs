namespace CityOps.Simulator;

/// <summary>
/// What can go wrong in the twin. The first five corrupt one sensor's reporting (the process is unaffected);
/// the last four change the simulated process, so every sensor that observes it shows the effect.
/// </summary>
public enum FaultKind
{
    /// <summary>Sensor: an offset that grows linearly from 0 at the start to <see cref="FaultSpec.Magnitude"/> (sensor units) at the end.</summary>
    Drift,
    /// <summary>Sensor: every reading in the window is offset by <see cref="FaultSpec.Magnitude"/> (sensor units); use a short window.</summary>
    Spike,
    /// <summary>Sensor: repeats the last value it reported before the start.</summary>
    Stuck,
    /// <summary>Sensor: reports nothing.</summary>
    Dropout,
    /// <summary>Sensor: adds Gaussian noise with standard deviation <see cref="FaultSpec.Magnitude"/> (sensor units).</summary>
    NoiseBurst,
    /// <summary>Machine: bearing wear rises linearly to <see cref="FaultSpec.Magnitude"/> (0–1); vibration responds first, motor temperature later. The bearing is replaced at the end.</summary>
    BearingWear,
    /// <summary>Water zone: a burst main losing <see cref="FaultSpec.Magnitude"/> m³/h; pressure drops and night flow rises.</summary>
    Leak,
    /// <summary>Intersection (or every intersection of a district): an incident removes the fraction <see cref="FaultSpec.Magnitude"/> (0–1) of capacity.</summary>
    Congestion,
    /// <summary>Production line: every machine of the line is down.</summary>
    LineStoppage,
}

/// <summary>A fault to inject.</summary>
/// <param name="Kind">What goes wrong.</param>
/// <param name="Target">A sensor key for sensor faults; for process faults the asset key of the machine, water zone,
/// intersection or district, or line.</param>
/// <param name="Duration">How long the fault lasts; the fault is active in [start, start + duration).</param>
/// <param name="Start">When it begins; null means the twin's current time.</param>
/// <param name="Magnitude">Kind-specific size (see <see cref="FaultKind"/>); null picks a visible default.</param>
public sealed record FaultSpec(FaultKind Kind, string Target, TimeSpan Duration, DateTimeOffset? Start = null, double? Magnitude = null)
{
    public bool IsSensorFault => Kind is FaultKind.Drift or FaultKind.Spike or FaultKind.Stuck or FaultKind.Dropout or FaultKind.NoiseBurst;
}

/// <summary>
/// An injected fault as it happened: the ground truth for measuring detection. Active in [<see cref="Start"/>, <see cref="End"/>).
/// </summary>
/// <param name="Id">Sequence number within the twin, from 1.</param>
/// <param name="SensorKeys">The sensors in which the fault is expected to be visible.</param>
public sealed record FaultRecord(
    int Id, FaultKind Kind, string Target, DateTimeOffset Start, DateTimeOffset End, double Magnitude,
    IReadOnlyList<string> SensorKeys)
{
    public bool IsActiveAt(DateTimeOffset time) => time >= Start && time < End;
}
