using System.Globalization;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;

namespace CityOps.Benchmarks;

/// <summary>
/// Where the SKAB data is and the one model configuration scored on every file. The defaults are the
/// configuration we report; the overrides exist to study sensitivity, never to tune per file.
/// </summary>
internal sealed record SkabBenchmarkOptions(string DataDir, MultivariateParameters Parameters, bool Verbose = false)
{
    public static MultivariateParameters DefaultParameters { get; } = new()
    {
        Metrics =
        [
            MetricKind.VibrationRms, MetricKind.VibrationRms, MetricKind.Current, MetricKind.Pressure,
            MetricKind.Temperature, MetricKind.Temperature, MetricKind.Voltage, MetricKind.Flow,
        ],
        Step = TimeSpan.FromSeconds(1),
        TrainingSize = 400,
    };

    public static SkabBenchmarkOptions Parse(string[] args)
    {
        var o = new SkabBenchmarkOptions("/work/shared/datasets/skab", DefaultParameters);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--verbose")
            {
                o = o with { Verbose = true };
                i--;
                continue;
            }

            if (i + 1 >= args.Length)
                throw new ArgumentException($"option {args[i]} needs a value");
            var value = args[i + 1];
            var p = o.Parameters;
            o = args[i] switch
            {
                "--data" => o with { DataDir = value },
                "--variance" => o with { Parameters = p with { VarianceExplained = Number(value) } },
                "--components" => o with { Parameters = p with { Components = int.Parse(value, CultureInfo.InvariantCulture) } },
                "--confidence" => o with { Parameters = p with { ConfidenceLevel = Number(value) } },
                "--quantile" => o with { Parameters = p with { TrainingQuantile = value == "none" ? null : Number(value) } },
                "--factor" => o with { Parameters = p with { LimitFactor = Number(value) } },
                "--smoothing" => o with { Parameters = p with { SmoothingWindow = int.Parse(value, CultureInfo.InvariantCulture) } },
                "--spread" => o with { Parameters = p with { MinRelativeSpread = Number(value) } },
                "--statistic" => o with { Parameters = p with { Statistic = Enum.Parse<MultivariateStatistic>(value, ignoreCase: true) } },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return o;
    }

    private static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
