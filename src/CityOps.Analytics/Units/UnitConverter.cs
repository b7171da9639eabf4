using System.Collections.Frozen;

namespace CityOps.Analytics.Units;

/// <summary>
/// Converts a reading from the unit a device sent to the unit its sensor is registered in. Units are
/// recognised in their common spellings (°C, degC, C, celsius …); a conversion is only made between
/// units of the same quantity, and a conversion that is not known is refused rather than guessed
/// (ppb to µg/m³, for instance, depends on the gas).
/// </summary>
public static class UnitConverter
{
    private sealed record UnitDef(string Symbol, string Quantity, double Factor, double Offset);

    // value in the quantity's base unit = value * Factor + Offset
    private static readonly UnitDef[] Definitions =
    [
        new("°C", "temperature", 1, 0),
        new("°F", "temperature", 5.0 / 9.0, -32 * 5.0 / 9.0),
        new("K", "temperature", 1, -273.15),
        new("bar", "pressure", 1, 0),
        new("mbar", "pressure", 1e-3, 0),
        new("hPa", "pressure", 1e-3, 0),
        new("Pa", "pressure", 1e-5, 0),
        new("kPa", "pressure", 1e-2, 0),
        new("MPa", "pressure", 10, 0),
        new("psi", "pressure", 0.0689475729316836, 0),
        new("m³/h", "flow", 1, 0),
        new("m³/s", "flow", 3600, 0),
        new("L/s", "flow", 3.6, 0),
        new("L/min", "flow", 0.06, 0),
        new("W", "power", 1e-3, 0),
        new("kW", "power", 1, 0),
        new("MW", "power", 1e3, 0),
        new("Wh", "energy", 1e-3, 0),
        new("kWh", "energy", 1, 0),
        new("MWh", "energy", 1e3, 0),
        new("km/h", "speed", 1, 0),
        new("mph", "speed", 1.609344, 0),
        new("m/s", "speed", 3.6, 0),
        new("µg/m³", "mass concentration", 1, 0),
        new("mg/m³", "mass concentration", 1e3, 0),
        new("ppb", "volume concentration", 1, 0),
        new("ppm", "volume concentration", 1e3, 0),
        new("%", "ratio", 1, 0),
        new("A", "current", 1, 0),
        new("mA", "current", 1e-3, 0),
        new("V", "voltage", 1, 0),
        new("mV", "voltage", 1e-3, 0),
        new("kV", "voltage", 1e3, 0),
        new("mm/s", "vibration velocity", 1, 0),
        new("lx", "illuminance", 1, 0),
        new("parts", "count", 1, 0),
        new("state", "state", 1, 0),
    ];

    // Exact spellings; matched case-sensitively first because case matters for SI prefixes (mW vs MW).
    private static readonly (string Alias, string Symbol)[] Aliases =
    [
        ("degC", "°C"), ("deg C", "°C"), ("C", "°C"), ("℃", "°C"), ("celsius", "°C"), ("Celsius", "°C"), ("ºC", "°C"),
        ("degF", "°F"), ("deg F", "°F"), ("F", "°F"), ("℉", "°F"), ("fahrenheit", "°F"), ("ºF", "°F"),
        ("kelvin", "K"), ("°K", "K"),
        ("kpa", "kPa"), ("hpa", "hPa"), ("Mpa", "MPa"), ("pa", "Pa"), ("PSI", "psi"), ("Bar", "bar"), ("mBar", "mbar"),
        ("m3/h", "m³/h"), ("m^3/h", "m³/h"), ("m3/hr", "m³/h"), ("cmh", "m³/h"),
        ("m3/s", "m³/s"), ("m^3/s", "m³/s"),
        ("l/s", "L/s"), ("lps", "L/s"), ("l/min", "L/min"), ("lpm", "L/min"),
        ("kw", "kW"), ("KW", "kW"), ("w", "W"), ("mw", "MW"),
        ("wh", "Wh"), ("kwh", "kWh"), ("KWh", "kWh"), ("mwh", "MWh"),
        ("kmh", "km/h"), ("kph", "km/h"), ("km/hr", "km/h"), ("MPH", "mph"), ("mi/h", "mph"), ("mps", "m/s"),
        ("ug/m3", "µg/m³"), ("μg/m³", "µg/m³"), ("μg/m3", "µg/m³"), ("µg/m3", "µg/m³"), ("ug/m³", "µg/m³"), ("ugm3", "µg/m³"),
        ("mg/m3", "mg/m³"),
        ("percent", "%"), ("pct", "%"),
        ("amp", "A"), ("amps", "A"), ("ampere", "A"), ("volt", "V"), ("volts", "V"),
        ("mm/sec", "mm/s"), ("lux", "lx"), ("count", "parts"), ("pcs", "parts"),
    ];

    private static readonly FrozenDictionary<string, UnitDef> BySymbol =
        Definitions.ToFrozenDictionary(d => d.Symbol, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ByAlias =
        Definitions.Select(d => (Alias: d.Symbol, d.Symbol)).Concat(Aliases)
            .ToFrozenDictionary(a => a.Alias, a => a.Symbol, StringComparer.Ordinal);

    /// <summary>The canonical symbol of a unit spelling, or null when the unit is not known.</summary>
    public static string? Canonical(string unit)
    {
        var trimmed = unit.Trim();
        return ByAlias.TryGetValue(trimmed, out var symbol) ? symbol : null;
    }

    /// <summary>True when the two spellings name the same unit (also when neither is known but they are equal).</summary>
    public static bool SameUnit(string a, string b)
    {
        if (string.Equals(a.Trim(), b.Trim(), StringComparison.Ordinal))
        {
            return true;
        }
        var ca = Canonical(a);
        return ca is not null && ca == Canonical(b);
    }

    /// <summary>
    /// Converts <paramref name="value"/> from <paramref name="from"/> to <paramref name="to"/>. Returns false,
    /// with a human-readable reason, when either unit is unknown or they measure different quantities.
    /// </summary>
    public static bool TryConvert(double value, string from, string to, out double converted, out string? reason)
    {
        reason = null;
        if (SameUnit(from, to))
        {
            converted = value;
            return true;
        }
        converted = double.NaN;
        var source = Canonical(from) is { } s ? BySymbol[s] : null;
        var target = Canonical(to) is { } t ? BySymbol[t] : null;
        if (source is null)
        {
            reason = $"Unit '{from}' is not known, so the value cannot be converted to the sensor's unit '{to}'.";
            return false;
        }
        if (target is null || source.Quantity != target.Quantity)
        {
            reason = $"Unit '{from}' cannot be converted to the sensor's unit '{to}'.";
            return false;
        }
        converted = ((value * source.Factor + source.Offset) - target.Offset) / target.Factor;
        return true;
    }
}
