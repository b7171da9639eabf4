using CityOps.Analytics;
using CityOps.Simulator;

namespace CityOps.Tests.Simulator;

public sealed class SyntheticFleetTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_Count_GivesThatManyTemperatureSensorsOnTheBenchSite()
    {
        var fleet = SyntheticFleet.Create(250, 1);

        Assert.Equal(250, fleet.Sensors.Count);
        Assert.Equal("bench.s00001", fleet.Sensors[0].Key);
        Assert.Equal("bench.s00250", fleet.Sensors[^1].Key);
        Assert.Equal("bench", Assert.Single(fleet.Sites).Key);
        Assert.Equal(250, fleet.Sensors.Select(s => s.Key).Distinct().Count());
        Assert.All(fleet.Sensors, s =>
        {
            Assert.Equal(MetricKind.Temperature, s.Metric);
            Assert.Equal(-50, s.Min);
            Assert.Equal(150, s.Max);
        });
        var assets = fleet.Assets.Select(a => a.Key).ToHashSet();
        Assert.All(fleet.Sensors, s => Assert.Contains(s.AssetKey, assets));
        Assert.Single(fleet.Assets, a => a.ParentKey is null);
    }

    [Fact]
    public async Task Readings_SameSeed_AreIdenticalRoundRobinAndInRange()
    {
        var fleet = SyntheticFleet.Create(10, 1);

        var a = await Drain(SyntheticFleet.Readings(fleet, 1005, Start, 3));
        var b = await Drain(SyntheticFleet.Readings(fleet, 1005, Start, 3));
        var c = await Drain(SyntheticFleet.Readings(fleet, 1005, Start, 4));

        Assert.Equal(1005, a.Count);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal("bench.s00003", a[12].SensorKey);
        Assert.Equal(Start.AddSeconds(1), a[12].Timestamp);
        Assert.All(a, r => Assert.InRange(r.Value, SyntheticFleet.Min, SyntheticFleet.Max));
    }

    [Fact]
    public void Twin_OverSyntheticFleet_ProducesOneReadingPerSensorPerSecond()
    {
        var twin = new Twin(SyntheticFleet.Create(300, 1), 1, Start);

        var readings = twin.AdvanceTo(Start.AddSeconds(10));

        Assert.Equal(3000, readings.Count);
        Assert.All(readings, r => Assert.InRange(r.Value, SyntheticFleet.Min, SyntheticFleet.Max));
    }

    private static async Task<List<SimReading>> Drain(CityOps.Simulator.Fleet.IReadingSource source)
    {
        var all = new List<SimReading>();
        var buffer = new SimReading[64];
        int n;
        while ((n = await source.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            all.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        return all;
    }
}
