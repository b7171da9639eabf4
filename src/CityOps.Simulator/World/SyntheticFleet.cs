using CityOps.Analytics;
using CityOps.Simulator.Fleet;
using CityOps.Simulator.Physics;
using CityOps.Simulator.World;

namespace CityOps.Simulator;

/// <summary>
/// A plain fleet of N temperature sensors for load tests: one site <c>bench</c>, machines of 100 sensors each,
/// sensor keys <c>bench.s00001</c>, <c>bench.s00002</c>, … (zero-padded to at least five digits).
/// </summary>
public static class SyntheticFleet
{
    public const string SiteKey = "bench";
    public const int SensorsPerAsset = 100;
    public const double Min = -50;
    public const double Max = 150;

    public static WorldDefinition Create(int sensorCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sensorCount);
        var digits = Math.Max(5, sensorCount.ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        const double lat = 51.90;
        const double lon = 4.40;
        var stream = Noise.Stream(seed, SiteKey);
        var assetCount = (sensorCount + SensorsPerAsset - 1) / SensorsPerAsset;
        var assets = new AssetDefinition[assetCount + 1];
        assets[0] = new AssetDefinition(SiteKey, SiteKey, null, "Benchmark fleet", AssetType.Plant, lat, lon);
        for (var a = 0; a < assetCount; a++)
        {
            assets[a + 1] = new AssetDefinition($"{SiteKey}.m{(a + 1).ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture)}",
                SiteKey, SiteKey, $"Bench machine {a + 1}", AssetType.Machine,
                lat + 0.01 * Noise.Uniform(stream, 2 * a), lon + 0.01 * Noise.Uniform(stream, 2 * a + 1));
        }
        var sensors = new SensorDefinition[sensorCount];
        for (var s = 0; s < sensorCount; s++)
        {
            var asset = assets[s / SensorsPerAsset + 1];
            sensors[s] = new SensorDefinition(SensorKey(s, digits), asset.Key, MetricKind.Temperature, "°C", Min, Max, 1,
                asset.Latitude, asset.Longitude);
        }
        return new WorldDefinition([new SiteDefinition(SiteKey, "Benchmark fleet", SiteKind.Plant, lat, lon, 15, "UTC")], assets, sensors, []);
    }

    private static string SensorKey(int index, int digits) =>
        $"{SiteKey}.s{(index + 1).ToString("D" + digits, System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>
    /// <paramref name="readingCount"/> readings over the fleet's sensors, round-robin: reading i belongs to sensor
    /// i mod N at <paramref name="start"/> + (i div N) seconds, so no (sensor, time) pair repeats. Values are a slow
    /// per-sensor sine plus noise around 20 °C. Costs a few nanoseconds per reading and allocates nothing per reading.
    /// </summary>
    public static IReadingSource Readings(WorldDefinition fleet, long readingCount, DateTimeOffset start, int seed)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentOutOfRangeException.ThrowIfNegative(readingCount);
        if (fleet.Sensors.Count == 0)
        {
            throw new ArgumentException("The fleet has no sensors.", nameof(fleet));
        }
        var keys = new string[fleet.Sensors.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = fleet.Sensors[i].Key;
        }
        return new Source(keys, readingCount, start.UtcTicks, Noise.Stream(seed, "readings"));
    }

    private sealed class Source(string[] keys, long count, long startTicks, ulong stream) : IReadingSource
    {
        private long _next;

        public long? Remaining => count - _next;

        public ValueTask<int> ReadAsync(Memory<SimReading> buffer, CancellationToken cancellationToken)
        {
            var span = buffer.Span;
            var n = (int)Math.Min(span.Length, count - _next);
            for (var j = 0; j < n; j++)
            {
                var i = _next + j;
                var sensor = (int)(i % keys.Length);
                var round = i / keys.Length;
                var phase = sensor * 0.37;
                var noise = (Noise.Mix(stream ^ (ulong)i) >> 11) * (1.0 / (1UL << 53)) - 0.5;
                var value = 20 + 8 * Math.Sin(round * (2 * Math.PI / 3600) + phase) + noise;
                span[j] = new SimReading(keys[sensor], new DateTimeOffset(startTicks + round * TimeSpan.TicksPerSecond, TimeSpan.Zero),
                    Math.Round(value, 2));
            }
            _next += n;
            return ValueTask.FromResult(n);
        }
    }
}
