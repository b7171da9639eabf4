using MessagePack;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// What the hub sends per changed sensor: its 1-second window holding the newest reading time. The names are
/// camelCase in JSON (the hub's JSON default) and, by these keys, in MessagePack.
/// </summary>
[MessagePackObject]
public sealed class SensorAggregate
{
    [Key("sensor")]
    public required string Sensor { get; init; }

    [Key("windowStart")]
    public DateTime WindowStart { get; init; }

    [Key("count")]
    public int Count { get; init; }

    [Key("min")]
    public double Min { get; init; }

    [Key("max")]
    public double Max { get; init; }

    [Key("mean")]
    public double Mean { get; init; }

    [Key("last")]
    public double Last { get; init; }

    [Key("lastTs")]
    public DateTime LastTs { get; init; }
}
