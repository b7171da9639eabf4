using CityOps.Analytics;
using CityOps.Simulator.World;

namespace CityOps.Simulator;

/// <summary>
/// The demo catalogue: the city of Havenport (eight districts with traffic, air quality, water, street lighting and
/// energy metering) and the Havenport Works plant (three production lines of five machines). Always the same.
/// </summary>
/// <remarks>
/// Key scheme: <c>site.district.asset.signal</c> in the city (<c>city.market.x2.speed</c>) and
/// <c>site.line.machine.signal</c> in the plant (<c>plant1.line2.mill1.vibration</c>, the line's sub-meter
/// <c>plant1.line2.meter.energy</c>); actuators hang off the asset
/// they command (<c>city.market.x2.green</c>, <c>plant1.line2.speed</c>).
/// </remarks>
public static class DemoWorld
{
    public const string CityKey = "city";
    public const string PlantKey = "plant1";

    private const double CityLat = 51.9225;
    private const double CityLon = 4.4792;
    private const double PlantLat = 51.8950;
    private const double PlantLon = 4.3600;
    private const string TimeZone = "Europe/Amsterdam";

    private static readonly (string Key, string Name, double NorthKm, double EastKm)[] Districts =
    [
        ("old_harbour", "Old Harbour", 0.0, 0.0),
        ("market", "Market Quarter", 1.2, 0.8),
        ("riverside", "Riverside", -0.3, -1.6),
        ("northgate", "Northgate", 2.6, 0.2),
        ("eastfield", "Eastfield", 0.6, 3.0),
        ("southbank", "Southbank", -2.4, 0.9),
        ("westwood", "Westwood", 0.4, -3.1),
        ("parkhill", "Parkhill", -1.9, -2.6),
    ];

    /// <summary>Outlying, higher districts whose water zones have a booster pump.</summary>
    private static readonly HashSet<string> PumpedZones = ["northgate", "eastfield", "westwood", "parkhill"];

    /// <summary>The busiest districts get a second air-quality station.</summary>
    private static readonly HashSet<string> ExtraStations = ["old_harbour", "market"];

    private static readonly string[] Avenues =
    [
        "Quay Avenue", "Harbour Road", "Market Street", "Guild Lane", "Bridge Street", "River Walk", "North Road", "Gate Street",
        "East Avenue", "Field Road", "South Quay", "Bank Street", "West Lane", "Wood Road", "Park Avenue", "Hill Street",
    ];

    private static readonly string[] Crossings =
    [
        "Dock Street", "Mill Lane", "Church Street", "Station Road", "Canal Street", "Ferry Lane", "Kings Road", "Tower Street",
        "Orchard Lane", "Chapel Road", "Wharf Street", "Dyke Road", "Elm Street", "Forest Lane", "Garden Road", "Crown Street",
    ];

    private static readonly (string Key, string Name, string[] Machines)[] Lines =
    [
        ("line1", "Stamping line", ["uncoiler", "press1", "press2", "press3", "stacker"]),
        ("line2", "Machining line", ["lathe1", "lathe2", "mill1", "mill2", "washer"]),
        ("line3", "Assembly line", ["feeder", "press", "welder", "tester", "packer"]),
    ];

    private static readonly Lazy<WorldDefinition> Instance = new(Build);

    /// <summary>The demo world. The instance is shared and immutable.</summary>
    public static WorldDefinition Create() => Instance.Value;

    private static WorldDefinition Build()
    {
        var sites = new List<SiteDefinition>
        {
            new(CityKey, "Havenport", SiteKind.City, CityLat, CityLon, 13, TimeZone),
            new(PlantKey, "Havenport Works", SiteKind.Plant, PlantLat, PlantLon, 17, TimeZone),
        };
        var assets = new List<AssetDefinition>();
        var sensors = new List<SensorDefinition>();
        var actuators = new List<ActuatorDefinition>();

        void Sensor(AssetDefinition asset, string signal, MetricKind metric, string unit, double min, double max, double interval) =>
            sensors.Add(new SensorDefinition($"{asset.Key}.{signal}", asset.Key, metric, unit, min, max, interval, asset.Latitude, asset.Longitude));

        void Actuator(AssetDefinition asset, string name, ActuatorKind kind, string unit, double min, double max, double initial) =>
            actuators.Add(new ActuatorDefinition($"{asset.Key}.{name}", asset.Key, kind, unit, min, max, initial));

        AssetDefinition Asset(string key, string site, string? parent, string name, AssetType type, double lat, double lon)
        {
            var asset = new AssetDefinition(key, site, parent, name, type, lat, lon);
            assets.Add(asset);
            return asset;
        }

        // ---- City ----
        var city = Asset(CityKey, CityKey, null, "Havenport", AssetType.City, CityLat, CityLon);
        const double kmLat = 1 / 111.0;
        var kmLon = 1 / (111.0 * Math.Cos(CityLat * Math.PI / 180));
        for (var d = 0; d < Districts.Length; d++)
        {
            var (slug, name, north, east) = Districts[d];
            var lat = CityLat + north * kmLat;
            var lon = CityLon + east * kmLon;
            var district = Asset($"{CityKey}.{slug}", CityKey, city.Key, name, AssetType.District, lat, lon);
            var prefix = district.Key;

            for (var j = 0; j < 4; j++)
            {
                var dn = (j / 2 - 0.5) * 0.7;
                var de = (j % 2 - 0.5) * 0.7;
                var x = Asset($"{prefix}.x{j + 1}", CityKey, district.Key, $"{Avenues[2 * d + j / 2]} & {Crossings[2 * d + j % 2]}",
                    AssetType.Intersection, lat + dn * kmLat, lon + de * kmLon);
                Sensor(x, "speed", MetricKind.TrafficSpeed, "km/h", 0, 130, 10);
                Sensor(x, "occupancy", MetricKind.Occupancy, "%", 0, 100, 10);
                Sensor(x, "flow", MetricKind.Flow, "veh/h", 0, 6000, 10);
                Actuator(x, "green", ActuatorKind.SignalTiming, "s", 15, 75, 40);
            }

            var stations = ExtraStations.Contains(slug) ? 2 : 1;
            for (var j = 0; j < stations; j++)
            {
                var aq = Asset($"{prefix}.aq{j + 1}", CityKey, district.Key, $"{name} air station {j + 1}", AssetType.AirQualityStation,
                    lat + (0.15 - 0.3 * j) * kmLat, lon + (0.1 + 0.2 * j) * kmLon);
                Sensor(aq, "pm25", MetricKind.Pm25, "µg/m³", 0, 500, 60);
                Sensor(aq, "pm10", MetricKind.Pm10, "µg/m³", 0, 600, 60);
                Sensor(aq, "no2", MetricKind.No2, "µg/m³", 0, 400, 60);
                Sensor(aq, "o3", MetricKind.O3, "µg/m³", 0, 400, 60);
                Sensor(aq, "temp", MetricKind.Temperature, "°C", -40, 60, 60);
            }

            var zone = Asset($"{prefix}.wz", CityKey, district.Key, $"{name} water zone", AssetType.WaterZone, lat - 0.2 * kmLat, lon - 0.25 * kmLon);
            Sensor(zone, "pressure_inlet", MetricKind.Pressure, "bar", 0, 10, 10);
            Sensor(zone, "pressure_cp", MetricKind.Pressure, "bar", 0, 10, 10);
            Sensor(zone, "flow", MetricKind.Flow, "m³/h", 0, 1000, 10);
            // The zone's customer meters read together (AMR), m³ since the previous reading, like the energy meters.
            Sensor(zone, "billed", MetricKind.Volume, "m³", 0, 1000, 60);
            Actuator(zone, "bypass", ActuatorKind.Valve, "%", 0, 100, 0);
            if (PumpedZones.Contains(slug))
            {
                Actuator(zone, "pump", ActuatorKind.Pump, "%", 0, 100, 80);
            }

            for (var j = 0; j < 2; j++)
            {
                var circuit = Asset($"{prefix}.lc{j + 1}", CityKey, district.Key, $"{name} street lighting {j + 1}", AssetType.LightingCircuit,
                    lat + (j == 0 ? 0.3 : -0.3) * kmLat, lon + (j == 0 ? -0.3 : 0.3) * kmLon);
                Sensor(circuit, "power", MetricKind.Power, "kW", 0, 50, 30);
                Sensor(circuit, "level", MetricKind.LightingLevel, "%", 0, 100, 30);
                Sensor(circuit, "voltage", MetricKind.Voltage, "V", 180, 260, 30);
                Actuator(circuit, "level", ActuatorKind.LightingLevel, "%", 0, 100, 100);
            }

            var meter = Asset($"{prefix}.em", CityKey, district.Key, $"{name} substation meter", AssetType.EnergyMeter, lat + 0.05 * kmLat, lon + 0.35 * kmLon);
            Sensor(meter, "power", MetricKind.Power, "kW", 0, 20000, 15);
            Sensor(meter, "energy", MetricKind.Energy, "kWh", 0, 20000, 60);
        }

        // ---- Plant ----
        var plant = Asset(PlantKey, PlantKey, null, "Havenport Works", AssetType.Plant, PlantLat, PlantLon);
        const double metreLat = 1 / 111_000.0;
        var metreLon = 1 / (111_000.0 * Math.Cos(PlantLat * Math.PI / 180));
        for (var l = 0; l < Lines.Length; l++)
        {
            var (lineSlug, lineName, machines) = Lines[l];
            var lineLat = PlantLat + (l - 1) * 25 * metreLat;
            var line = Asset($"{PlantKey}.{lineSlug}", PlantKey, plant.Key, lineName, AssetType.Line, lineLat, PlantLon);
            Actuator(line, "speed", ActuatorKind.LineSpeed, "%", 50, 110, 100);
            Actuator(line, "coolant", ActuatorKind.Setpoint, "°C", 12, 35, 22);
            // The line's feeder sub-meter: its machines' motors plus the line's conveyors, controls and extraction.
            var lineMeter = Asset($"{line.Key}.meter", PlantKey, line.Key, $"{lineName} meter", AssetType.EnergyMeter, lineLat - 8 * metreLat, PlantLon - 60 * metreLon);
            Sensor(lineMeter, "power", MetricKind.Power, "kW", 0, 1000, 5);
            Sensor(lineMeter, "energy", MetricKind.Energy, "kWh", 0, 1000, 60);
            for (var m = 0; m < machines.Length; m++)
            {
                var machine = Asset($"{line.Key}.{machines[m]}", PlantKey, line.Key, $"{lineName} {machines[m]}", AssetType.Machine,
                    lineLat, PlantLon + (m - 2) * 18 * metreLon);
                Sensor(machine, "motor_temp", MetricKind.Temperature, "°C", -20, 150, 5);
                Sensor(machine, "vibration", MetricKind.VibrationRms, "mm/s", 0, 50, 1);
                Sensor(machine, "current", MetricKind.Current, "A", 0, 200, 2);
                Sensor(machine, "pressure", MetricKind.Pressure, "bar", 0, 250, 2);
                Sensor(machine, "coolant_flow", MetricKind.Flow, "L/min", 0, 100, 5);
                Sensor(machine, "good", MetricKind.GoodParts, "parts", 0, 5000, 10);
                Sensor(machine, "scrap", MetricKind.ScrapParts, "parts", 0, 5000, 10);
                Sensor(machine, "state", MetricKind.MachineState, "state", 0, 2, 5);
            }
        }
        var plantMeter = Asset($"{PlantKey}.meter", PlantKey, plant.Key, "Main incomer", AssetType.EnergyMeter, PlantLat - 40 * metreLat, PlantLon);
        Sensor(plantMeter, "power", MetricKind.Power, "kW", 0, 5000, 5);
        Sensor(plantMeter, "energy", MetricKind.Energy, "kWh", 0, 5000, 60);

        return new WorldDefinition(sites.ToArray(), assets.ToArray(), sensors.ToArray(), actuators.ToArray());
    }
}
