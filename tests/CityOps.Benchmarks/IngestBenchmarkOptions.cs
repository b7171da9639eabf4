using System.Globalization;

namespace CityOps.Benchmarks;

internal sealed record IngestBenchmarkOptions(long Readings, int Sensors, int NaiveCap, int BatchSize, int Concurrency, int Seed, long WarmUp)
{
    public static IngestBenchmarkOptions Parse(string[] args)
    {
        var o = new IngestBenchmarkOptions(5_000_000, 5_000, 200_000, 1_000, 4, 42, 100_000);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            o = args[i] switch
            {
                "--readings" => o with { Readings = long.Parse(value, CultureInfo.InvariantCulture) },
                "--sensors" => o with { Sensors = int.Parse(value, CultureInfo.InvariantCulture) },
                "--naive-cap" => o with { NaiveCap = int.Parse(value, CultureInfo.InvariantCulture) },
                "--batch" => o with { BatchSize = int.Parse(value, CultureInfo.InvariantCulture) },
                "--warm-up" => o with { WarmUp = long.Parse(value, CultureInfo.InvariantCulture) },
                "--concurrency" => o with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
