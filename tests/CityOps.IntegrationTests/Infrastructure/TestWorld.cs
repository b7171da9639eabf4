using CityOps.Analytics;
using CityOps.Simulator.World;

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>A small hand-made world: a city with a nested district and a plant with a line and a machine.</summary>
public static class TestWorld
{
    public static WorldDefinition Create(string cityName = "Test City") => new(
        Sites:
        [
            new SiteDefinition("tcity", cityName, SiteKind.City, 52.52, 13.40, 12, "Europe/Berlin"),
            new SiteDefinition("tplant", "Test Plant", SiteKind.Plant, 48.14, 11.58, 16, "Europe/Berlin"),
        ],
        // Children listed before their parents on purpose: registration must order them.
        Assets:
        [
            new AssetDefinition("tcity.north.x1", "tcity", "tcity.north", "Crossing 1", AssetType.Intersection, 52.53, 13.41),
            new AssetDefinition("tcity.north", "tcity", null, "North district", AssetType.District, 52.53, 13.40),
            new AssetDefinition("tplant.line1.press", "tplant", "tplant.line1", "Press", AssetType.Machine, 48.14, 11.58),
            new AssetDefinition("tplant.line1", "tplant", null, "Line 1", AssetType.Line, 48.14, 11.58),
        ],
        Sensors:
        [
            new SensorDefinition("tcity.north.x1.speed", "tcity.north.x1", MetricKind.TrafficSpeed, "km/h", 0, 130, 5, 52.53, 13.41),
            new SensorDefinition("tcity.north.x1.occupancy", "tcity.north.x1", MetricKind.Occupancy, "%", 0, 100, 5, 52.53, 13.41),
            new SensorDefinition("tplant.line1.press.temp", "tplant.line1.press", MetricKind.Temperature, "°C", -20, 200, 1, 48.14, 11.58),
        ],
        Actuators:
        [
            new ActuatorDefinition("tcity.north.x1.green", "tcity.north.x1", ActuatorKind.SignalTiming, "s", 10, 90, 30),
            new ActuatorDefinition("tplant.line1.speed", "tplant.line1", ActuatorKind.LineSpeed, "parts/min", 0, 60, 40),
        ]);
}
