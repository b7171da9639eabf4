using CityOps.Analytics.Units;

namespace CityOps.Tests.Analytics;

public sealed class UnitConverterTests
{
    [Theory]
    [InlineData(212, "°F", "°C", 100)]
    [InlineData(32, "degF", "degC", 0)]
    [InlineData(273.15, "K", "°C", 0)]
    [InlineData(25, "C", "K", 298.15)]
    [InlineData(150, "kPa", "bar", 1.5)]
    [InlineData(100_000, "Pa", "bar", 1)]
    [InlineData(14.503773773, "psi", "bar", 1)]
    [InlineData(2, "bar", "kPa", 200)]
    [InlineData(3.6, "m³/h", "L/s", 1)]
    [InlineData(10, "L/s", "m3/h", 36)]
    [InlineData(1500, "W", "kW", 1.5)]
    [InlineData(2, "kW", "W", 2000)]
    [InlineData(100, "km/h", "mph", 62.137119224)]
    [InlineData(60, "mph", "km/h", 96.56064)]
    [InlineData(12, "ug/m3", "µg/m³", 12)]
    [InlineData(40, "percent", "%", 40)]
    public void TryConvert_KnownConversion_ConvertsValue(double value, string from, string to, double expected)
    {
        Assert.True(UnitConverter.TryConvert(value, from, to, out var converted, out var reason), reason);
        Assert.Equal(expected, converted, 6);
    }

    [Theory]
    [InlineData("ppb", "µg/m³")]
    [InlineData("bar", "°C")]
    [InlineData("kW", "kWh")]
    public void TryConvert_DifferentQuantities_RefusedWithReason(string from, string to)
    {
        Assert.False(UnitConverter.TryConvert(1, from, to, out _, out var reason));
        Assert.Contains($"'{from}' cannot be converted", reason);
    }

    [Fact]
    public void TryConvert_UnknownUnit_RefusedWithReason()
    {
        Assert.False(UnitConverter.TryConvert(1, "furlongs", "bar", out _, out var reason));
        Assert.Contains("'furlongs' is not known", reason);
    }

    [Theory]
    [InlineData("degC", "°C")]
    [InlineData("℃", "°C")]
    [InlineData("m3/h", "m³/h")]
    [InlineData(" kW ", "kW")]
    [InlineData("μg/m³", "µg/m³")]
    public void Canonical_CommonSpelling_GivesSymbol(string spelling, string symbol) =>
        Assert.Equal(symbol, UnitConverter.Canonical(spelling));

    [Fact]
    public void Canonical_PrefixCase_Distinguished()
    {
        Assert.Equal("mV", UnitConverter.Canonical("mV"));
        Assert.Equal("MW", UnitConverter.Canonical("MW"));
        Assert.NotEqual(UnitConverter.Canonical("mA"), UnitConverter.Canonical("A"));
    }
}
