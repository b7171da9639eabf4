using System.Diagnostics;
using System.Globalization;
using System.Text;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Analytics.Alerts.Baseline;

namespace CityOps.Benchmarks;

internal sealed record NabBenchmarkOptions(string Data, string Out)
{
    public static NabBenchmarkOptions Parse(string[] args)
    {
        string? data = null;
        string? output = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--data": data = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        return new NabBenchmarkOptions(
            data ?? throw new ArgumentException("--data DIR is required"),
            output ?? throw new ArgumentException("--out DIR is required"));
    }
}

/// <summary>
/// Runs the baseline detector over every Numenta Anomaly Benchmark series under a folder, one row at a time, and
/// writes NAB result files (<c>timestamp,value,anomaly_score</c>, same rows in the same order) under the output
/// folder, mirroring its subfolders. One configuration serves every file, as NAB requires: the default
/// <see cref="BaselineParameters"/>, with a fresh detector per file and no knowledge of the file.
/// </summary>
internal sealed class NabBenchmark(NabBenchmarkOptions options, BaselineParameters? parameters = null)
{
    private readonly BaselineParameters _parameters = parameters ?? new BaselineParameters();

    public async Task<int> RunAsync()
    {
        var files = Directory.GetFiles(options.Data, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            await Console.Error.WriteLineAsync($"no CSV files under {options.Data}");
            return 1;
        }
        var total = Stopwatch.StartNew();
        long rows = 0;
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(options.Data, file);
            var target = Path.Combine(options.Out, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            rows += await RunFileAsync(file, target);
        }
        total.Stop();
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "nab: {0} files, {1} rows in {2:0.00} s ({3:0.0} µs per row)",
            files.Length, rows, total.Elapsed.TotalSeconds, total.Elapsed.TotalMicroseconds / Math.Max(1, rows)));
        return 0;
    }

    private async Task<long> RunFileAsync(string source, string target)
    {
        // NAB timestamps carry no zone; reading them as UTC with a UTC site keeps "time of day" as recorded.
        var sensor = new SensorContext(Path.GetFileNameWithoutExtension(source), MetricKind.Flow, "", double.MinValue, double.MaxValue,
            TimeSpan.Zero, TimeZoneInfo.Utc);
        var detector = new BaselineDetector(_parameters, sensor);
        var output = new StringBuilder("timestamp,value,anomaly_score\n");
        long rows = 0;
        using var reader = new StreamReader(source);
        _ = await reader.ReadLineAsync();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var comma = line.IndexOf(',');
            var stamp = line[..comma];
            var valueText = line[(comma + 1)..];
            var timestamp = DateTime.Parse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var value = double.Parse(valueText, CultureInfo.InvariantCulture);
            var detection = detector.Update(timestamp, value);
            output.Append(stamp).Append(',').Append(valueText).Append(',')
                .Append(detection.Score.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            rows++;
        }
        await File.WriteAllTextAsync(target, output.ToString());
        return rows;
    }
}
