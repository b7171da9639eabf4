namespace CityOps.Simulator;

/// <summary>One measurement as a device reports it. <see cref="Timestamp"/> is UTC with millisecond precision.</summary>
public readonly record struct SimReading(string SensorKey, DateTimeOffset Timestamp, double Value);
