using CityOps.Analytics;
using CityOps.Simulator;
using static CityOps.Tests.Simulator.SimTestKit;

namespace CityOps.Tests.Simulator;

public sealed class DemoWorldTests
{
    private static readonly CityOps.Simulator.World.WorldDefinition World = DemoWorld.Create();

    private static int SensorsOn(string assetKey, MetricKind metric) =>
        World.Sensors.Count(s => s.AssetKey == assetKey && s.Metric == metric);

    [Fact]
    public void Create_City_HasSixDistrictsAndTwentyIntersectionsWithSpeedAndOccupancy()
    {
        Assert.True(World.Assets.Count(a => a.Type == AssetType.District) >= 6);
        var intersections = World.Assets.Where(a => a.Type == AssetType.Intersection).ToList();
        Assert.True(intersections.Count >= 20);
        Assert.All(intersections, x =>
        {
            Assert.Equal(1, SensorsOn(x.Key, MetricKind.TrafficSpeed));
            Assert.Equal(1, SensorsOn(x.Key, MetricKind.Occupancy));
        });
    }

    [Fact]
    public void Create_City_HasAirWaterLightingAndEnergyAssetsWithTheirSignals()
    {
        var stations = World.Assets.Where(a => a.Type == AssetType.AirQualityStation).ToList();
        Assert.NotEmpty(stations);
        Assert.All(stations, s => Assert.All(new[] { MetricKind.Pm25, MetricKind.Pm10, MetricKind.No2, MetricKind.O3 }, m => Assert.Equal(1, SensorsOn(s.Key, m))));
        var zones = World.Assets.Where(a => a.Type == AssetType.WaterZone).ToList();
        Assert.NotEmpty(zones);
        Assert.All(zones, z => Assert.True(SensorsOn(z.Key, MetricKind.Pressure) >= 1 && SensorsOn(z.Key, MetricKind.Flow) == 1));
        Assert.All(zones, z => Assert.Equal(1, SensorsOn(z.Key, MetricKind.Volume)));
        Assert.Contains(World.Assets, a => a.Type == AssetType.LightingCircuit);
        Assert.True(World.Assets.Count(a => a.Type == AssetType.EnergyMeter && a.SiteKey == DemoWorld.CityKey) >= 6);
    }

    [Fact]
    public void Create_Plant_HasTwoLinesOfFourMachinesWithEveryMachineSignal()
    {
        var lines = World.Assets.Where(a => a.Type == AssetType.Line).ToList();
        Assert.True(lines.Count >= 2);
        MetricKind[] signals = [MetricKind.Temperature, MetricKind.VibrationRms, MetricKind.Current, MetricKind.Pressure, MetricKind.Flow,
            MetricKind.GoodParts, MetricKind.ScrapParts, MetricKind.MachineState];
        foreach (var line in lines)
        {
            var machines = World.Assets.Where(a => a.ParentKey == line.Key && a.Type == AssetType.Machine).ToList();
            Assert.True(machines.Count >= 4, $"{line.Key} has {machines.Count} machines");
            Assert.All(machines, m => Assert.All(signals, s => Assert.Equal(1, SensorsOn(m.Key, s))));
            var meter = Assert.Single(World.Assets, a => a.ParentKey == line.Key && a.Type == AssetType.EnergyMeter);
            Assert.Equal(1, SensorsOn(meter.Key, MetricKind.Power));
            Assert.Equal(1, SensorsOn(meter.Key, MetricKind.Energy));
        }
    }

    [Fact]
    public void Create_Always_HasSeveralHundredSensorsWithUniqueKeysOnKnownAssets()
    {
        Assert.True(World.Sensors.Count >= 300, $"{World.Sensors.Count} sensors");
        Assert.Equal(World.Sensors.Count, World.Sensors.Select(s => s.Key).Distinct().Count());
        Assert.Equal(World.Assets.Count, World.Assets.Select(a => a.Key).Distinct().Count());
        Assert.Equal(World.Actuators.Count, World.Actuators.Select(a => a.Key).Distinct().Count());
        var assets = World.Assets.Select(a => a.Key).ToHashSet();
        Assert.All(World.Sensors, s => Assert.Contains(s.AssetKey, assets));
        Assert.All(World.Actuators, a => Assert.Contains(a.AssetKey, assets));
        Assert.All(World.Sensors, s => Assert.InRange(s.IntervalSeconds, 1, 60));
    }

    [Fact]
    public void Create_Always_EachSiteHasOneRootAndEveryParentExistsOnTheSameSite()
    {
        foreach (var site in World.Sites)
        {
            var root = Assert.Single(World.Assets, a => a.SiteKey == site.Key && a.ParentKey is null);
            Assert.Equal(site.Kind == SiteKind.City ? AssetType.City : AssetType.Plant, root.Type);
        }
        var byKey = World.Assets.ToDictionary(a => a.Key);
        Assert.All(World.Assets.Where(a => a.ParentKey is not null), a => Assert.Equal(a.SiteKey, byKey[a.ParentKey!].SiteKey));
    }

    [Fact]
    public void Create_CalledTwice_ReturnsTheSameCatalogue()
    {
        Assert.Equal(World.Sensors.Select(s => s.Key), DemoWorld.Create().Sensors.Select(s => s.Key));
    }

    [Fact]
    public void Backfill_NormalDay_EveryValueStaysWithinItsSensorsPhysicalRange()
    {
        var twin = new Twin(World, 3, TuesdayMidnight);
        var ranges = World.Sensors.ToDictionary(s => s.Key);

        var readings = History(twin, Tuesday(24), TimeSpan.FromSeconds(30));

        Assert.True(readings.Count > 100_000);
        var outside = readings.Where(r => r.Value < ranges[r.SensorKey].Min || r.Value > ranges[r.SensorKey].Max || !double.IsFinite(r.Value)).Take(5).ToList();
        Assert.Empty(outside);
        // Measurements sit inside the range rather than being clamped to its top (states and levels rest at their maximum by design).
        var pinned = readings.Where(r => r.Value == ranges[r.SensorKey].Max
            && ranges[r.SensorKey].Metric is not (MetricKind.MachineState or MetricKind.LightingLevel)).Take(5).ToList();
        Assert.Empty(pinned);
    }
}
