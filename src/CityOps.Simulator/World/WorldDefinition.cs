using CityOps.Analytics;

namespace CityOps.Simulator.World;

/// <summary>
/// The static description of a monitored world: what CityOps registers in its database and what the
/// twin simulates. Keys are stable, dotted and unique within their kind.
/// </summary>
public sealed record WorldDefinition(
    IReadOnlyList<SiteDefinition> Sites,
    IReadOnlyList<AssetDefinition> Assets,
    IReadOnlyList<SensorDefinition> Sensors,
    IReadOnlyList<ActuatorDefinition> Actuators);

public sealed record SiteDefinition(
    string Key, string Name, SiteKind Kind, double Latitude, double Longitude, int Zoom, string TimeZone);

/// <summary>An asset in the hierarchy; <see cref="ParentKey"/> is null for the site's top-level assets.</summary>
public sealed record AssetDefinition(
    string Key, string SiteKey, string? ParentKey, string Name, AssetType Type, double Latitude, double Longitude);

public sealed record SensorDefinition(
    string Key, string AssetKey, MetricKind Metric, string Unit, double Min, double Max,
    double IntervalSeconds, double Latitude, double Longitude);

public sealed record ActuatorDefinition(
    string Key, string AssetKey, ActuatorKind Kind, string Unit, double Min, double Max, double Initial);
