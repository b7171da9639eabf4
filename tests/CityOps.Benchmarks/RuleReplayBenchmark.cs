using System.Diagnostics;
using System.Globalization;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;

namespace CityOps.Benchmarks;

internal sealed record RuleReplayOptions(int Days)
{
    public static RuleReplayOptions Parse(string[] args)
    {
        var o = new RuleReplayOptions(30);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            o = args[i] switch
            {
                "--days" => o with { Days = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}

/// <summary>
/// The backtest case: days of 1-second readings of one sensor replayed through one rule, once per model kind,
/// with the engine's clock ticking every 10 s of reading time as the live engine's does.
/// </summary>
internal sealed class RuleReplayBenchmark(RuleReplayOptions options)
{
    public Task<int> RunAsync()
    {
        var start = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        var seconds = options.Days * 86400;
        var values = new double[seconds];
        var random = new Random(3);
        for (var i = 0; i < seconds; i++)
        {
            // A daily cycle, noise, and once a day an excursion above the limit.
            var dayPhase = i % 86400;
            var excursion = dayPhase is >= 50_000 and < 51_800 ? 40.0 * Math.Sin(Math.PI * (dayPhase - 50_000) / 1800) : 0;
            values[i] = 60 + 10 * Math.Sin(2 * Math.PI * i / 86400) + 0.5 * (random.NextDouble() - 0.5) + excursion;
        }
        var sensor = new EngineSensor(1, "plant1", "plant1.line1.press1", AssetType.Machine, "plant1.line1",
            new SensorContext("plant1.line1.press1.motor_temp", MetricKind.Temperature, "°C", -20, 150, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc));
        var rationale = new Rationalisation("c", "c", "a", TimeSpan.FromMinutes(10));
        var cases = new (string Name, ModelParameters Model)[]
        {
            ("limit", new LimitParameters { High = 85, Deadband = 2, OnDelay = TimeSpan.FromMinutes(1), OffDelay = TimeSpan.FromMinutes(2), RateLimit = 5 }),
            ("data quality", new DataQualityParameters()),
            ("forecast", new ForecastParameters { High = 85 }),
        };
        Console.WriteLine($"rule-replay: {seconds:N0} readings (1 s for {options.Days} days) of one sensor through one rule");
        foreach (var (name, model) in cases)
        {
            var engine = new RuleEngine([new AlertRuleDefinition("r", name, new RuleScope(), model, AlarmPriority.Low, "m", rationale, [])], [sensor]);
            var output = new List<AlarmSignal>();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < seconds; i++)
            {
                var at = start.AddSeconds(i);
                engine.OnReading(1, at, values[i], output);
                if (i % 10 == 0)
                {
                    engine.OnClock(at, output);
                }
            }
            watch.Stop();
            Console.WriteLine($"  {name,-13} {watch.Elapsed.TotalSeconds,6:0.00} s  {seconds / watch.Elapsed.TotalSeconds,12:N0} readings/s  {output.Count(s => s.Active)} alarms");
        }
        return Task.FromResult(0);
    }
}
