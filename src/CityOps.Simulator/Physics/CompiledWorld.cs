using System.Collections.Frozen;
using CityOps.Analytics;
using CityOps.Simulator.World;

namespace CityOps.Simulator.Physics;

/// <summary>Which physical quantity of which model a sensor observes.</summary>
internal enum Channel : byte
{
    Generic,
    TrafficSpeed, TrafficOccupancy, TrafficFlow,
    AirPm25, AirPm10, AirNo2, AirO3, AirTemperature,
    WaterPressure, WaterFlow, WaterBilled,
    LightPower, LightLevel, LightVoltage,
    MeterPower, MeterEnergy,
    MotorTemperature, Vibration, MotorCurrent, HydraulicPressure, CoolantFlow, GoodParts, ScrapParts, MachineState,
}

internal sealed class SensorModel
{
    public required SensorDefinition Definition { get; init; }
    public required int Index { get; init; }
    public required Channel Channel { get; init; }
    /// <summary>Index of the model the channel belongs to (machine, intersection, …), or -1.</summary>
    public required int Unit { get; init; }
    public required int Site { get; init; }
    public required ulong Stream { get; init; }
    public required long IntervalTicks { get; init; }
    /// <summary>Offset of the reading schedule within the interval, so sensors do not all report on the same tick.</summary>
    public required long PhaseTicks { get; init; }
    public required double NoiseAbsolute { get; init; }
    public required double NoiseRelative { get; init; }
    public required int Decimals { get; init; }
    /// <summary>Channel-specific parameter (position along a water main for pressure sensors).</summary>
    public double Parameter { get; init; }
    public bool IsAccumulator => Channel is Channel.GoodParts or Channel.ScrapParts or Channel.MeterEnergy or Channel.WaterBilled;
}

internal sealed record SiteModel(string Key, SiteKind Kind, double Latitude, double Longitude, SiteClock Clock, ulong Stream);

internal sealed record DistrictModel(int Site, double TrafficWeight, double CommercialShare, double BaseKw, ulong Stream)
{
    public List<int> Intersections { get; } = [];
    public List<int> Lighting { get; } = [];
}

internal sealed record IntersectionModel(
    int Site, int District, double SaturationFlow, double PeakDemand, double FreeSpeed, int GreenActuator, ulong Stream)
{
    public const double CycleSeconds = 90;
    public const double DefaultGreen = 40;
    public const double QueueLimit = 400;
    public double NominalCapacity => SaturationFlow * DefaultGreen / CycleSeconds;
}

internal sealed record AirStationModel(int Site, int District, double Exposure, ulong Stream);

/// <param name="BackgroundLoss">Real losses in m³/h that no customer meter sees (seeping joints, small bursts): part of
/// the zone's demand, so it is in the inflow, not in the billed consumption.</param>
/// <param name="UnbilledShare">Share of the demand that is authorised but not billed (fire fighting, mains flushing).</param>
internal sealed record WaterZoneModel(
    int Site, int District, double MeanDemand, double SupplyPressure, double Resistance, double Elevation,
    int ValveActuator, int PumpActuator, ulong Stream, double BackgroundLoss, double UnbilledShare);

internal sealed record LightingModel(int Site, int District, double RatedKw, int LevelActuator, ulong Stream);

/// <param name="Line">The production line whose feeder the meter measures, or -1 (a site incomer or a district substation).</param>
internal sealed record MeterModel(int Site, int District, bool IsPlant, double BaseKw, ulong Stream, int Line = -1);

/// <param name="AuxiliaryKw">Conveyors, controls and extraction of the line at full speed with every machine running.</param>
internal sealed record LineModel(int Site, double PartsPerMinute, int SpeedActuator, int CoolantActuator, ulong Stream, double AuxiliaryKw)
{
    public List<int> Machines { get; } = [];
}

internal sealed record MachineModel(
    int Site, int Line, double RatedCurrent, double LoadFactor, double RatedTemperatureRise, double VibrationBase,
    double NominalPressure, double NominalCoolant, double ScrapBase, ulong Stream);

/// <summary>
/// The immutable half of a twin: the world compiled into model parameters and reading schedules. Shared by a
/// twin and all its clones; everything that changes lives in <see cref="TwinState"/>.
/// </summary>
internal sealed class CompiledWorld
{
    public const double DefaultLineSpeed = 100;
    public const double DefaultCoolantSetpoint = 22;

    public required WorldDefinition World { get; init; }
    public required int Seed { get; init; }
    public required SensorModel[] Sensors { get; init; }
    public required FrozenDictionary<string, int> SensorIndex { get; init; }
    public required FrozenDictionary<string, int> ActuatorIndex { get; init; }
    public required FrozenDictionary<string, AssetDefinition> Assets { get; init; }
    public required SiteModel[] Sites { get; init; }
    public required DistrictModel[] Districts { get; init; }
    public required IntersectionModel[] Intersections { get; init; }
    public required AirStationModel[] AirStations { get; init; }
    public required WaterZoneModel[] WaterZones { get; init; }
    public required LightingModel[] Lighting { get; init; }
    public required MeterModel[] Meters { get; init; }
    public required LineModel[] Lines { get; init; }
    public required MachineModel[] Machines { get; init; }
    /// <summary>Model index of each asset by kind, for fault targets.</summary>
    public required FrozenDictionary<string, int> MachineByAsset { get; init; }
    public required FrozenDictionary<string, int> LineByAsset { get; init; }
    public required FrozenDictionary<string, int> ZoneByAsset { get; init; }
    public required FrozenDictionary<string, int> IntersectionByAsset { get; init; }
    public required FrozenDictionary<string, int> DistrictByAsset { get; init; }
    /// <summary>Sensors attached to each asset, in definition order.</summary>
    public required FrozenDictionary<string, int[]> SensorsByAsset { get; init; }

    public static CompiledWorld Compile(WorldDefinition world, int seed)
    {
        ArgumentNullException.ThrowIfNull(world);
        var assets = new Dictionary<string, AssetDefinition>(StringComparer.Ordinal);
        foreach (var a in world.Assets)
        {
            if (!assets.TryAdd(a.Key, a))
            {
                throw new ArgumentException($"Asset key '{a.Key}' is defined twice.", nameof(world));
            }
        }
        var siteIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var sites = new SiteModel[world.Sites.Count];
        for (var i = 0; i < sites.Length; i++)
        {
            var s = world.Sites[i];
            if (!siteIndex.TryAdd(s.Key, i))
            {
                throw new ArgumentException($"Site key '{s.Key}' is defined twice.", nameof(world));
            }
            sites[i] = new SiteModel(s.Key, s.Kind, s.Latitude, s.Longitude, SiteClock.For(s.TimeZone), Noise.Stream(seed, "site:" + s.Key));
        }

        var actuatorIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < world.Actuators.Count; i++)
        {
            var a = world.Actuators[i];
            if (!actuatorIndex.TryAdd(a.Key, i))
            {
                throw new ArgumentException($"Actuator key '{a.Key}' is defined twice.", nameof(world));
            }
            if (!(a.Min <= a.Initial && a.Initial <= a.Max))
            {
                throw new ArgumentException($"Actuator '{a.Key}' starts at {a.Initial}, outside {a.Min}..{a.Max}.", nameof(world));
            }
        }
        int FindActuator(string assetKey, ActuatorKind kind)
        {
            for (var i = 0; i < world.Actuators.Count; i++)
            {
                if (world.Actuators[i].Kind == kind && world.Actuators[i].AssetKey == assetKey)
                {
                    return i;
                }
            }
            return -1;
        }

        int SiteOf(AssetDefinition a) => siteIndex.TryGetValue(a.SiteKey, out var i)
            ? i
            : throw new ArgumentException($"Asset '{a.Key}' belongs to unknown site '{a.SiteKey}'.", nameof(world));

        // The district an asset lies in: the nearest ancestor of type District.
        string? DistrictKeyOf(AssetDefinition a)
        {
            var current = a.ParentKey;
            for (var depth = 0; current is not null && depth < 32; depth++)
            {
                if (!assets.TryGetValue(current, out var parent))
                {
                    return null;
                }
                if (parent.Type == AssetType.District)
                {
                    return parent.Key;
                }
                current = parent.ParentKey;
            }
            return null;
        }

        double Centrality(AssetDefinition a)
        {
            var site = sites[SiteOf(a)];
            var dy = (a.Latitude - site.Latitude) * 111.0;
            var dx = (a.Longitude - site.Longitude) * 111.0 * Math.Cos(site.Latitude * Math.PI / 180);
            return Math.Exp(-Math.Sqrt(dx * dx + dy * dy) / 2.5);
        }

        // Parameters vary deterministically per asset so that no two districts or machines look the same.
        double Vary(ulong stream, int salt, double low, double high) => low + (high - low) * Noise.Uniform(stream, salt);

        var districts = new List<DistrictModel>();
        var districtByAsset = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in world.Assets)
        {
            if (a.Type != AssetType.District)
            {
                continue;
            }
            var stream = Noise.Stream(seed, a.Key);
            var c = Centrality(a);
            districtByAsset[a.Key] = districts.Count;
            districts.Add(new DistrictModel(SiteOf(a), 0.7 + 0.3 * c, 0.2 + 0.55 * c, Vary(stream, 1, 1800, 3000) * (0.8 + 0.6 * c), stream));
        }
        int DistrictOf(AssetDefinition a) => DistrictKeyOf(a) is { } key && districtByAsset.TryGetValue(key, out var d) ? d : -1;

        var intersections = new List<IntersectionModel>();
        var zones = new List<WaterZoneModel>();
        var stations = new List<AirStationModel>();
        var lighting = new List<LightingModel>();
        var meters = new List<MeterModel>();
        var lines = new List<LineModel>();
        var machines = new List<MachineModel>();
        var byAsset = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineByAsset = new Dictionary<string, int>(StringComparer.Ordinal);
        var machineByAsset = new Dictionary<string, int>(StringComparer.Ordinal);
        var zoneByAsset = new Dictionary<string, int>(StringComparer.Ordinal);
        var intersectionByAsset = new Dictionary<string, int>(StringComparer.Ordinal);

        foreach (var a in world.Assets)
        {
            if (a.Type == AssetType.Line)
            {
                var stream = Noise.Stream(seed, a.Key);
                lineByAsset[a.Key] = lines.Count;
                lines.Add(new LineModel(SiteOf(a), Math.Round(Vary(stream, 1, 8, 18)),
                    FindActuator(a.Key, ActuatorKind.LineSpeed), FindActuator(a.Key, ActuatorKind.Setpoint), stream, Vary(stream, 2, 6, 12)));
            }
        }
        foreach (var a in world.Assets)
        {
            var stream = Noise.Stream(seed, a.Key);
            var district = DistrictOf(a);
            switch (a.Type)
            {
                case AssetType.Intersection:
                {
                    var saturation = Math.Round(Vary(stream, 1, 30, 42)) * 100;
                    var weight = district >= 0 ? districts[district].TrafficWeight : 0.85;
                    var peak = 0.9 * saturation * IntersectionModel.DefaultGreen / IntersectionModel.CycleSeconds * weight * Vary(stream, 2, 0.92, 1.05);
                    intersectionByAsset[a.Key] = intersections.Count;
                    if (district >= 0)
                    {
                        districts[district].Intersections.Add(intersections.Count);
                    }
                    intersections.Add(new IntersectionModel(SiteOf(a), district, saturation, peak, Vary(stream, 3, 45, 60),
                        FindActuator(a.Key, ActuatorKind.SignalTiming), stream));
                    break;
                }
                case AssetType.AirQualityStation:
                    byAsset[a.Key] = stations.Count;
                    stations.Add(new AirStationModel(SiteOf(a), district, Vary(stream, 1, 0.8, 1.2) * (0.8 + 0.4 * Centrality(a)), stream));
                    break;
                case AssetType.WaterZone:
                {
                    var mean = Math.Round(Vary(stream, 1, 60, 180));
                    var supply = Vary(stream, 2, 4.6, 5.4);
                    zoneByAsset[a.Key] = zones.Count;
                    // Background losses of 6–11 % of the mean demand and 1–2 % unbilled authorised use put the demo's
                    // non-revenue water around the 10–15 % of a well-run network (IWA).
                    zones.Add(new WaterZoneModel(SiteOf(a), district, mean, supply, 1.3 / Math.Pow(2 * mean, 2), Vary(stream, 3, -0.3, 0.3),
                        FindActuator(a.Key, ActuatorKind.Valve), FindActuator(a.Key, ActuatorKind.Pump), stream,
                        mean * Vary(stream, 4, 0.06, 0.11), Vary(stream, 5, 0.01, 0.02)));
                    break;
                }
                case AssetType.LightingCircuit:
                    byAsset[a.Key] = lighting.Count;
                    if (district >= 0)
                    {
                        districts[district].Lighting.Add(lighting.Count);
                    }
                    lighting.Add(new LightingModel(SiteOf(a), district, Math.Round(Vary(stream, 1, 8, 25), 1), FindActuator(a.Key, ActuatorKind.LightingLevel), stream));
                    break;
                case AssetType.EnergyMeter:
                {
                    var site = SiteOf(a);
                    var isPlant = sites[site].Kind == SiteKind.Plant;
                    var line = a.ParentKey is not null && lineByAsset.TryGetValue(a.ParentKey, out var l) ? l : -1;
                    byAsset[a.Key] = meters.Count;
                    meters.Add(new MeterModel(site, district, isPlant, isPlant ? Vary(stream, 1, 100, 160) : Vary(stream, 1, 1800, 3000), stream, line));
                    break;
                }
                case AssetType.Machine:
                {
                    var line = a.ParentKey is not null && lineByAsset.TryGetValue(a.ParentKey, out var l) ? l : -1;
                    machineByAsset[a.Key] = machines.Count;
                    if (line >= 0)
                    {
                        lines[line].Machines.Add(machines.Count);
                    }
                    machines.Add(new MachineModel(SiteOf(a), line, Math.Round(Vary(stream, 1, 25, 60)), Vary(stream, 2, 0.65, 0.9),
                        Vary(stream, 3, 38, 50), Vary(stream, 4, 1.0, 2.0), Math.Round(Vary(stream, 5, 140, 170)),
                        Math.Round(Vary(stream, 6, 15, 30)), Vary(stream, 7, 0.008, 0.02), stream));
                    break;
                }
            }
        }

        var sensorIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var sensorsByAsset = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var sensors = new SensorModel[world.Sensors.Count];
        for (var i = 0; i < sensors.Length; i++)
        {
            var d = world.Sensors[i];
            if (!sensorIndex.TryAdd(d.Key, i))
            {
                throw new ArgumentException($"Sensor key '{d.Key}' is defined twice.", nameof(world));
            }
            if (!assets.TryGetValue(d.AssetKey, out var asset))
            {
                throw new ArgumentException($"Sensor '{d.Key}' refers to unknown asset '{d.AssetKey}'.", nameof(world));
            }
            if (!(d.IntervalSeconds > 0) || !(d.Min < d.Max))
            {
                throw new ArgumentException($"Sensor '{d.Key}' needs a positive interval and Min < Max.", nameof(world));
            }
            if (!sensorsByAsset.TryGetValue(d.AssetKey, out var onAsset))
            {
                sensorsByAsset[d.AssetKey] = onAsset = [];
            }
            var (channel, unit) = Bind(asset, d.Metric);
            var parameter = 0.0;
            if (channel == Channel.WaterPressure)
            {
                // Pressure sensors along a zone's main, in definition order: the first near the inlet,
                // the last at the critical point where friction losses are largest.
                var before = 0;
                var total = 0;
                foreach (var other in world.Sensors)
                {
                    if (other.AssetKey == d.AssetKey && other.Metric == MetricKind.Pressure)
                    {
                        if (ReferenceEquals(other, d))
                        {
                            before = total;
                        }
                        total++;
                    }
                }
                parameter = total <= 1 ? 1.0 : 0.3 + 0.7 * before / (total - 1);
            }
            onAsset.Add(i);
            var stream = Noise.Stream(seed, d.Key);
            var interval = Math.Max(TimeSpan.TicksPerMillisecond, (long)Math.Round(d.IntervalSeconds * TimeSpan.TicksPerSecond));
            var phase = (long)(Noise.Uniform(stream, -1) * interval) / TimeSpan.TicksPerMillisecond * TimeSpan.TicksPerMillisecond;
            var (noiseAbs, noiseRel, decimals) = MeasurementNoise(channel, d);
            sensors[i] = new SensorModel
            {
                Definition = d, Index = i, Channel = channel, Unit = unit, Site = SiteOf(asset), Stream = stream,
                IntervalTicks = interval, PhaseTicks = phase, NoiseAbsolute = noiseAbs, NoiseRelative = noiseRel,
                Decimals = decimals, Parameter = parameter,
            };
        }

        return new CompiledWorld
        {
            World = world,
            Seed = seed,
            Sensors = sensors,
            SensorIndex = sensorIndex.ToFrozenDictionary(StringComparer.Ordinal),
            ActuatorIndex = actuatorIndex.ToFrozenDictionary(StringComparer.Ordinal),
            Assets = assets.ToFrozenDictionary(StringComparer.Ordinal),
            Sites = sites,
            Districts = [.. districts],
            Intersections = [.. intersections],
            AirStations = [.. stations],
            WaterZones = [.. zones],
            Lighting = [.. lighting],
            Meters = [.. meters],
            Lines = [.. lines],
            Machines = [.. machines],
            MachineByAsset = machineByAsset.ToFrozenDictionary(StringComparer.Ordinal),
            LineByAsset = lineByAsset.ToFrozenDictionary(StringComparer.Ordinal),
            ZoneByAsset = zoneByAsset.ToFrozenDictionary(StringComparer.Ordinal),
            IntersectionByAsset = intersectionByAsset.ToFrozenDictionary(StringComparer.Ordinal),
            DistrictByAsset = districtByAsset.ToFrozenDictionary(StringComparer.Ordinal),
            SensorsByAsset = sensorsByAsset.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal),
        };

        (Channel, int) Bind(AssetDefinition asset, MetricKind metric)
        {
            int Of(Dictionary<string, int> map) => map.TryGetValue(asset.Key, out var u) ? u : -1;
            var channel = (asset.Type, metric) switch
            {
                (AssetType.Intersection, MetricKind.TrafficSpeed) => Channel.TrafficSpeed,
                (AssetType.Intersection, MetricKind.Occupancy) => Channel.TrafficOccupancy,
                (AssetType.Intersection, MetricKind.Flow) => Channel.TrafficFlow,
                (AssetType.AirQualityStation, MetricKind.Pm25) => Channel.AirPm25,
                (AssetType.AirQualityStation, MetricKind.Pm10) => Channel.AirPm10,
                (AssetType.AirQualityStation, MetricKind.No2) => Channel.AirNo2,
                (AssetType.AirQualityStation, MetricKind.O3) => Channel.AirO3,
                (AssetType.AirQualityStation, MetricKind.Temperature) => Channel.AirTemperature,
                (AssetType.WaterZone, MetricKind.Pressure) => Channel.WaterPressure,
                (AssetType.WaterZone, MetricKind.Flow) => Channel.WaterFlow,
                (AssetType.WaterZone, MetricKind.Volume) => Channel.WaterBilled,
                (AssetType.LightingCircuit, MetricKind.Power) => Channel.LightPower,
                (AssetType.LightingCircuit, MetricKind.LightingLevel) => Channel.LightLevel,
                (AssetType.LightingCircuit, MetricKind.Voltage) => Channel.LightVoltage,
                (AssetType.EnergyMeter, MetricKind.Power) => Channel.MeterPower,
                (AssetType.EnergyMeter, MetricKind.Energy) => Channel.MeterEnergy,
                (AssetType.Machine, MetricKind.Temperature) => Channel.MotorTemperature,
                (AssetType.Machine, MetricKind.VibrationRms) => Channel.Vibration,
                (AssetType.Machine, MetricKind.Current) => Channel.MotorCurrent,
                (AssetType.Machine, MetricKind.Pressure) => Channel.HydraulicPressure,
                (AssetType.Machine, MetricKind.Flow) => Channel.CoolantFlow,
                (AssetType.Machine, MetricKind.GoodParts) => Channel.GoodParts,
                (AssetType.Machine, MetricKind.ScrapParts) => Channel.ScrapParts,
                (AssetType.Machine, MetricKind.MachineState) => Channel.MachineState,
                _ => Channel.Generic,
            };
            var unit = channel switch
            {
                Channel.Generic => -1,
                Channel.TrafficSpeed or Channel.TrafficOccupancy or Channel.TrafficFlow => Of(intersectionByAsset),
                Channel.WaterPressure or Channel.WaterFlow or Channel.WaterBilled => Of(zoneByAsset),
                >= Channel.MotorTemperature => Of(machineByAsset),
                _ => Of(byAsset),
            };
            return unit < 0 ? (Channel.Generic, -1) : (channel, unit);
        }
    }

    /// <summary>How noisy and how precise each kind of instrument is.</summary>
    private static (double Absolute, double Relative, int Decimals) MeasurementNoise(Channel channel, SensorDefinition d) => channel switch
    {
        Channel.TrafficSpeed => (1.2, 0.0, 1),
        Channel.TrafficOccupancy => (0.8, 0.0, 1),
        Channel.TrafficFlow => (20, 0.03, 0),
        Channel.AirPm25 => (0.6, 0.04, 1),
        Channel.AirPm10 => (1.0, 0.04, 1),
        Channel.AirNo2 => (1.5, 0.03, 1),
        Channel.AirO3 => (1.5, 0.03, 1),
        Channel.AirTemperature => (0.1, 0.0, 2),
        Channel.WaterPressure => (0.02, 0.0, 3),
        Channel.WaterFlow => (0.5, 0.01, 2),
        Channel.WaterBilled => (0.0, 0.0, 3),
        Channel.LightPower => (0.05, 0.01, 2),
        Channel.LightLevel => (0.0, 0.0, 0),
        Channel.LightVoltage => (0.4, 0.0, 1),
        Channel.MeterPower => (0.5, 0.005, 1),
        Channel.MeterEnergy => (0.0, 0.0, 3),
        Channel.MotorTemperature => (0.15, 0.0, 2),
        Channel.Vibration => (0.03, 0.04, 3),
        Channel.MotorCurrent => (0.2, 0.01, 2),
        Channel.HydraulicPressure => (0.6, 0.0, 1),
        Channel.CoolantFlow => (0.2, 0.01, 2),
        Channel.GoodParts or Channel.ScrapParts or Channel.MachineState => (0.0, 0.0, 0),
        _ => ((d.Max - d.Min) * 0.005, 0.0, 3),
    };
}
