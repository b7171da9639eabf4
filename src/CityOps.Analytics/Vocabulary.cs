namespace CityOps.Analytics;

// The domain's shared vocabulary. Values are stored by name in the database, so members may be added
// but never renamed.

/// <summary>What a sensor measures.</summary>
public enum MetricKind
{
    Temperature,
    VibrationRms,
    Current,
    Pressure,
    Flow,
    Power,
    Energy,
    Pm25,
    Pm10,
    No2,
    O3,
    TrafficSpeed,
    Occupancy,
    GoodParts,
    ScrapParts,
    MachineState,
    LightingLevel,
    Voltage,
    /// <summary>A volume per reporting interval (m³), e.g. the billed consumption of a water zone's customer meters.</summary>
    Volume,
}

public enum SiteKind { City, Plant }

public enum AssetType
{
    City,
    Plant,
    District,
    Intersection,
    AirQualityStation,
    WaterZone,
    LightingCircuit,
    EnergyMeter,
    Line,
    Machine,
}

public enum ActuatorKind { Setpoint, Valve, SignalTiming, LineSpeed, LightingLevel, Pump }
