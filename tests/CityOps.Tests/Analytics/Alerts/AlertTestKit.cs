using CityOps.Analytics;
using CityOps.Analytics.Alerts;

namespace CityOps.Tests.Analytics.Alerts;

internal static class AlertTestKit
{
    public static readonly DateTime T0 = new(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc);

    public static SensorContext Sensor(
        string key = "plant.line1.press1.motor_temp", MetricKind metric = MetricKind.Temperature, string unit = "°C",
        double min = -20, double max = 150, double intervalSeconds = 10) =>
        new(key, metric, unit, min, max, TimeSpan.FromSeconds(intervalSeconds), TimeZoneInfo.Utc);

    public static DateTime At(double seconds) => T0.AddSeconds(seconds);

    /// <summary>Feeds (seconds, value) pairs and returns every detection.</summary>
    public static List<Detection> Feed(IDetector detector, IEnumerable<(double Seconds, double Value)> series) =>
        [.. series.Select(p => detector.Update(At(p.Seconds), p.Value))];

    /// <summary>One reading every <paramref name="step"/> seconds from <paramref name="from"/>, value from the time.</summary>
    public static IEnumerable<(double Seconds, double Value)> Series(double from, double to, double step, Func<double, double> value)
    {
        for (var t = from; t < to; t += step)
        {
            yield return (t, value(t));
        }
    }

    public static AlertRuleDefinition Rule(string key, RuleScope scope, ModelParameters model, AlarmPriority priority = AlarmPriority.Low) =>
        new(key, key, scope, model, priority, "message", new Rationalisation("cause", "consequence", "action", TimeSpan.FromMinutes(10)), []);
}
