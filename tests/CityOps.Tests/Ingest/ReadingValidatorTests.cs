using CityOps.Analytics;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Tests.Ingest;

public sealed class ReadingValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly SensorInfo Oven = new(1, "plant.oven.temp", 1, "plant", 1, "plant.oven", MetricKind.Temperature, "°C", -20, 300, 1);
    private static readonly SensorInfo Press = new(2, "plant.press.pressure", 1, "plant", 2, "plant.press", MetricKind.Pressure, "bar", 0, 10, 1);

    private static BatchValidation Begin()
    {
        var validator = new ReadingValidator(SensorCatalog.Of([Oven, Press]), new FakeTimeProvider(Now),
            new Monitor<IngestOptions>(new IngestOptions()), new Monitor<RetentionOptions>(new RetentionOptions { RawDays = 30 }));
        return validator.Begin(8);
    }

    private static string RejectionOf(string sensor, DateTimeOffset ts, double value, string? unit = null)
    {
        var batch = Begin();
        batch.Add(0, sensor, ts, value, unit);
        Assert.Empty(batch.Accepted);
        return Assert.Single(batch.Rejected).Reason;
    }

    [Fact]
    public void Add_ValidReading_AcceptedInUtcWithMicrosecondPrecision()
    {
        var batch = Begin();

        batch.Add(0, Oven.Key, Now.AddMinutes(-1).AddTicks(7).ToOffset(TimeSpan.FromHours(2)), 150, null);

        var reading = Assert.Single(batch.Accepted);
        Assert.Equal(new PendingReading(1, Now.AddMinutes(-1).UtcDateTime, 150), reading);
        Assert.Equal(DateTimeKind.Utc, reading.Timestamp.Kind);
    }

    [Fact]
    public void Add_UnknownSensor_Rejected() =>
        Assert.Equal("Unknown sensor 'plant.nope'.", RejectionOf("plant.nope", Now, 1));

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Add_NonFiniteValue_Rejected(double value) =>
        Assert.Contains("is not a finite number", RejectionOf(Oven.Key, Now, value));

    [Theory]
    [InlineData(-20.5)]
    [InlineData(300.1)]
    public void Add_OutsidePhysicalRange_RejectedWithRange(double value) =>
        Assert.Contains("outside the physical range of sensor 'plant.oven.temp' (-20 to 300 °C)", RejectionOf(Oven.Key, Now, value));

    [Fact]
    public void Add_MoreThanFiveMinutesAhead_Rejected() =>
        Assert.Contains("too far in the future", RejectionOf(Oven.Key, Now.AddMinutes(5).AddSeconds(1), 20));

    [Fact]
    public void Add_WithinFiveMinutesAhead_Accepted()
    {
        var batch = Begin();
        batch.Add(0, Oven.Key, Now.AddMinutes(5), 20, null);
        Assert.Single(batch.Accepted);
    }

    [Fact]
    public void Add_OlderThanRawRetention_Rejected() =>
        Assert.Contains("older than the raw-data retention", RejectionOf(Oven.Key, Now.AddDays(-30).AddSeconds(-1), 20));

    [Fact]
    public void Add_SameSensorAndTimeTwice_SecondRejectedAsDuplicate()
    {
        var batch = Begin();

        batch.Add(0, Oven.Key, Now, 20, null);
        batch.Add(1, Press.Key, Now, 2, null);
        batch.Add(2, Oven.Key, Now, 21, null);

        Assert.Equal(2, batch.Accepted.Count);
        var rejection = Assert.Single(batch.Rejected);
        Assert.Equal(2, rejection.Index);
        Assert.Contains("Duplicate reading", rejection.Reason);
    }

    [Fact]
    public void Add_ConvertibleUnit_StoredInSensorUnit()
    {
        var batch = Begin();

        batch.Add(0, Oven.Key, Now, 212, "°F");
        batch.Add(1, Press.Key, Now, 250, "kPa");

        Assert.Equal([100.0, 2.5], batch.Accepted.Select(r => Math.Round(r.Value, 9)));
    }

    [Fact]
    public void Add_ConvertedValueOutsideRange_Rejected() =>
        Assert.Contains("outside the physical range", RejectionOf(Press.Key, Now, 2000, "kPa"));

    [Fact]
    public void Add_UnconvertibleUnit_Rejected() =>
        Assert.Contains("'ppm' cannot be converted to the sensor's unit 'bar'", RejectionOf(Press.Key, Now, 1, "ppm"));

    private sealed class Monitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
