using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CityOps.Analytics.Alerts;

/// <summary>How detectors word values for operators and persist their state.</summary>
internal static class DetectorText
{
    /// <summary>State JSON: named NaN/Infinity allowed, because a model that has not seen data yet holds NaN.</summary>
    public static readonly JsonSerializerOptions StateJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = true,
    };

    public static string Value(double value, string unit)
    {
        var number = Number(value);
        return string.IsNullOrEmpty(unit) ? number : $"{number} {unit}";
    }

    public static string Number(double value)
    {
        var magnitude = Math.Abs(value);
        var format = magnitude >= 100 ? "0.#" : magnitude >= 1 ? "0.##" : "0.###";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1))
        {
            return $"{Math.Max(0, Math.Round(span.TotalSeconds))} s";
        }
        if (span < TimeSpan.FromHours(2))
        {
            return $"{Math.Floor(span.TotalMinutes)} min";
        }
        return $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h";
    }

    public static T Load<T>(string state) =>
        JsonSerializer.Deserialize<T>(state, StateJson) ?? throw new ArgumentException("The detector state is empty.", nameof(state));

    public static string Save<T>(T state) => JsonSerializer.Serialize(state, StateJson);
}
