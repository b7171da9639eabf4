using System.Globalization;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Analytics.Alerts.Multivariate;

namespace CityOps.Benchmarks;

/// <summary>
/// Scores <see cref="MultivariateDetector"/> on the Skoltech Anomaly Benchmark the way SKAB's outlier-detection
/// leaderboard does: per file, train on the first rows, then score the rest one row at a time (no look-ahead);
/// point-wise labels from the <c>anomaly</c> column; F1, false-alarm rate and missed-alarm rate over the test parts
/// of all files pooled together. One configuration serves every file.
/// </summary>
internal sealed class SkabBenchmark(SkabBenchmarkOptions options)
{
    private static readonly string[] Groups = ["valve1", "valve2", "other"];

    public Task<int> RunAsync()
    {
        var dataDir = Path.Combine(options.DataDir, "data");
        if (!Directory.Exists(dataDir))
            dataDir = options.DataDir;

        var files = Groups
            .Select(g => Path.Combine(dataDir, g))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.GetFiles(d, "*.csv").OrderBy(f => NaturalKey(f)))
            .ToList();
        if (files.Count == 0)
        {
            Console.Error.WriteLine($"No SKAB files under {dataDir} (expected valve1/*.csv).");
            return Task.FromResult(1);
        }

        var parameters = options.Parameters;
        Console.WriteLine($"SKAB outlier detection, MultivariateDetector: train {parameters.TrainingSize} rows, variance {parameters.VarianceExplained}, " +
                          $"statistic {parameters.Statistic}, confidence {parameters.ConfidenceLevel}, training quantile {parameters.TrainingQuantile?.ToString(CultureInfo.InvariantCulture) ?? "-"}, " +
                          $"limit factor {parameters.LimitFactor}, smoothing {parameters.SmoothingWindow}, min relative spread {parameters.MinRelativeSpread}");
        Console.WriteLine($"{"file",-12} {"rows",5} {"F1",6} {"FAR %",7} {"MAR %",7}");

        var total = new Confusion();
        foreach (var file in files)
        {
            var data = SkabFile.Read(file);
            var confusion = Score(data, data.Rows.Count);
            total.Add(confusion);
            var name = $"{Path.GetFileName(Path.GetDirectoryName(file))}/{Path.GetFileName(file)}";
            Console.WriteLine(confusion.Format(name, confusion.Count));
        }

        Console.WriteLine(total.Format("all", total.Count));

        // Normal operation only: every alarm here is a false alarm. Scored over the same horizon as an experiment's
        // test part (about 750 rows after training), since 400 rows cannot describe hours of slow drift.
        var free = Path.Combine(dataDir, "anomaly-free", "anomaly-free.csv");
        if (File.Exists(free))
        {
            var data = SkabFile.Read(free);
            var confusion = Score(data, Math.Min(data.Rows.Count, parameters.TrainingSize + 750));
            Console.WriteLine(confusion.Format("anomaly-free", confusion.Count) + "   (normal operation only: FAR is the share of rows alarmed)");
        }

        return Task.FromResult(0);
    }

    /// <summary>Trains on the first rows of one file, then scores the next rows one at a time, as they would arrive.</summary>
    private Confusion Score(SkabFile data, int rows)
    {
        var parameters = options.Parameters;
        var detector = new MultivariateDetector(parameters, data.Sensors);
        var confusion = new Confusion();
        var wasActive = false;
        for (var i = 0; i < rows; i++)
        {
            var row = data.Rows[i];
            var detection = detector.Update(row.Timestamp, row.Values);
            if (i < parameters.TrainingSize)
                continue;
            confusion.Add(detection.Active, row.Anomaly);
            if (options.Verbose && detection.Active != wasActive)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {row.Timestamp:HH:mm:ss} row {i} {(detection.Active ? "raised" : "cleared")} (label {(row.Anomaly ? "anomaly" : "normal")}) {detection.Detail}"));
            wasActive = detection.Active;
        }

        return confusion;
    }

    private static (string, int) NaturalKey(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        return int.TryParse(stem, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (string.Empty, n) : (stem, int.MaxValue);
    }

    private sealed class Confusion
    {
        private long _tp, _fp, _fn, _tn;

        public long Count => _tp + _fp + _fn + _tn;

        public void Add(bool predicted, bool actual)
        {
            if (predicted && actual) _tp++;
            else if (predicted) _fp++;
            else if (actual) _fn++;
            else _tn++;
        }

        public void Add(Confusion other)
        {
            _tp += other._tp;
            _fp += other._fp;
            _fn += other._fn;
            _tn += other._tn;
        }

        public string Format(string name, long rows)
        {
            var f1 = 2.0 * _tp / Math.Max(1, 2 * _tp + _fp + _fn);
            var far = 100.0 * _fp / Math.Max(1, _fp + _tn);
            var mar = 100.0 * _fn / Math.Max(1, _fn + _tp);
            return string.Create(CultureInfo.InvariantCulture, $"{name,-12} {rows,5} {f1,6:0.000} {far,7:0.00} {mar,7:0.00}");
        }
    }
}

/// <summary>One SKAB experiment: 8 sensors at 1 Hz with point-wise anomaly labels.</summary>
internal sealed record SkabFile(IReadOnlyList<SensorContext> Sensors, IReadOnlyList<SkabRow> Rows)
{
    private static readonly (string Column, MetricKind Metric, string Unit)[] Columns =
    [
        ("Accelerometer1RMS", MetricKind.VibrationRms, "g"),
        ("Accelerometer2RMS", MetricKind.VibrationRms, "g"),
        ("Current", MetricKind.Current, "A"),
        ("Pressure", MetricKind.Pressure, "bar"),
        ("Temperature", MetricKind.Temperature, "°C"),
        ("Thermocouple", MetricKind.Temperature, "°C"),
        ("Voltage", MetricKind.Voltage, "V"),
        ("Volume Flow RateRMS", MetricKind.Flow, "l/min"),
    ];

    public static SkabFile Read(string path)
    {
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? throw new InvalidDataException($"{path} is empty.")).Split(';');
        var index = Columns.Select(c => Array.IndexOf(header, c.Column)).ToArray();
        var anomaly = Array.IndexOf(header, "anomaly");
        var time = Array.IndexOf(header, "datetime");
        if (index.Any(i => i < 0) || time < 0)
            throw new InvalidDataException($"{path}: unexpected header {string.Join(';', header)}");

        var rows = new List<SkabRow>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
                continue;
            var cells = line.Split(';');
            var values = index.Select(i => double.Parse(cells[i], CultureInfo.InvariantCulture)).ToArray();
            var timestamp = DateTime.SpecifyKind(DateTime.Parse(cells[time], CultureInfo.InvariantCulture), DateTimeKind.Utc);
            // The anomaly-free recording has no label column: every row is normal.
            var label = anomaly >= 0 && double.Parse(cells[anomaly], CultureInfo.InvariantCulture) > 0.5;
            rows.Add(new SkabRow(timestamp, values, label));
        }

        var sensors = Columns
            .Select(c => new SensorContext($"skab.{c.Column}", c.Metric, c.Unit, double.MinValue, double.MaxValue, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc))
            .ToList();
        return new SkabFile(sensors, rows);
    }
}

internal sealed record SkabRow(DateTime Timestamp, double[] Values, bool Anomaly);
