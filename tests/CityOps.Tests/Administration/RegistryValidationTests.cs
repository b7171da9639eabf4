using CityOps.Analytics;
using CityOps.Web.Features.Administration.Assets;

namespace CityOps.Tests.Administration;

public class RegistryValidationTests
{
    private static readonly SensorInput Good = new("plant1.line2.press3.motor_temp", "plant1.line2.press3", MetricKind.Temperature, "°C", -20, 200, 1, null, null);

    [Theory]
    [InlineData("plant1.line2.press3.motor_temp")]
    [InlineData("city-a.x_1")]
    [InlineData("a")]
    public void Sensor_ValidKey_Accepted(string key) => Assert.Empty(RegistryValidation.Sensor(Good with { Key = key }));

    [Theory]
    [InlineData("Plant1.temp")]
    [InlineData("plant1..temp")]
    [InlineData("plant1.temp.")]
    [InlineData(".plant1")]
    [InlineData("plant 1")]
    [InlineData("")]
    public void Sensor_BadKey_RefusedOnTheKeyField(string key) =>
        Assert.Equal("key", Assert.Single(RegistryValidation.Sensor(Good with { Key = key })).Field);

    [Fact]
    public void Sensor_KeyLongerThanTheColumn_RefusedWithItsLength()
    {
        var error = Assert.Single(RegistryValidation.Sensor(Good with { Key = new string('a', 201) }));

        Assert.Equal("A key may have at most 200 characters; this one has 201.", error.Message);
    }

    [Theory]
    [InlineData(10, 10, "max")]
    [InlineData(10, 5, "max")]
    [InlineData(double.NaN, 5, "min")]
    [InlineData(0, double.PositiveInfinity, "max")]
    public void Sensor_RangeNotIncreasing_Refused(double min, double max, string field) =>
        Assert.Equal(field, Assert.Single(RegistryValidation.Sensor(Good with { Min = min, Max = max })).Field);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Sensor_IntervalNotPositive_Refused(double interval) =>
        Assert.Equal("intervalSeconds", Assert.Single(RegistryValidation.Sensor(Good with { IntervalSeconds = interval })).Field);

    [Fact]
    public void Sensor_OnlyLatitude_AsksForBoth()
    {
        var error = Assert.Single(RegistryValidation.Sensor(Good with { Latitude = 52 }));

        Assert.Equal("longitude", error.Field);
        Assert.Contains("both", error.Message);
    }

    [Theory]
    [InlineData(90.5, 13, "latitude")]
    [InlineData(-91, 13, "latitude")]
    [InlineData(52, 180.1, "longitude")]
    public void Sensor_LocationOutOfRange_Refused(double lat, double lon, string field) =>
        Assert.Equal(field, Assert.Single(RegistryValidation.Sensor(Good with { Latitude = lat, Longitude = lon })).Field);

    [Fact]
    public void Sensor_NoUnit_Refused() => Assert.Equal("unit", Assert.Single(RegistryValidation.Sensor(Good with { Unit = "  " })).Field);

    [Theory]
    [InlineData("Europe/Berlin", true)]
    [InlineData("America/New_York", true)]
    [InlineData("UTC", true)]
    [InlineData("W. Europe Standard Time", false)]
    [InlineData("Europe/Atlantis", false)]
    public void IsIanaTimeZone_WindowsNamesAndUnknownIds_AreNot(string id, bool expected) =>
        Assert.Equal(expected, RegistryValidation.IsIanaTimeZone(id));

    [Fact]
    public void Site_ZoomOutOfRange_Refused()
    {
        var site = new SiteInput("city", "City", SiteKind.City, 52, 13, 0, "Europe/Berlin");

        Assert.Equal("zoom", Assert.Single(RegistryValidation.Site(site)).Field);
    }

    [Fact]
    public void Asset_OwnParent_Refused()
    {
        var asset = new AssetInput("city.north", "city", "city.north", "North", AssetType.District, 52, 13);

        Assert.Equal("parentKey", Assert.Single(RegistryValidation.Asset(asset)).Field);
    }
}

public class RegistryCsvParseTests
{
    [Fact]
    public void ParseSensors_BadFields_ReportsRowAndColumnAndKeepsGoodRows()
    {
        const string file = "key,asset_key,metric,unit,min,max,interval_seconds,latitude,longitude\r\n" +
            "a.t,a,Temperature,°C,-20,200,1,,\r\n" +
            "\r\n" +
            "a.u,a,Humidity,%,0,100,1x,52.1,\r\n" +
            "\"a.v\",a,Flow,\"m³/h\", 0 ,1e3,0.5,52.5,13.25\r\n";

        var parsed = RegistryCsv.ParseSensors(new StringReader(file));

        Assert.Equal(["a.t", "a.v"], parsed.Rows.Select(r => r.Input.Key));
        Assert.Equal([2, 5], parsed.Rows.Select(r => r.Row));
        Assert.Equal(new SensorInput("a.v", "a", MetricKind.Flow, "m³/h", 0, 1000, 0.5, 52.5, 13.25), parsed.Rows[1].Input);
        Assert.Equal([4], parsed.BadRows);
        Assert.Contains(parsed.Errors, e => e is { Row: 4, Column: "metric" } && e.Message.Contains("Temperature"));
        Assert.Contains(parsed.Errors, e => e is { Row: 4, Column: "interval_seconds" } && e.Message.Contains("'1x'"));
    }

    [Fact]
    public void ParseSensors_MissingColumns_OneErrorOnTheHeader()
    {
        var parsed = RegistryCsv.ParseSensors(new StringReader("key,asset_key,unit\na.t,a,°C\n"));

        var error = Assert.Single(parsed.Errors);
        Assert.Equal(1, error.Row);
        Assert.Contains("metric", error.Message);
        Assert.Empty(parsed.Rows);
    }

    [Fact]
    public void ParseAssets_EmptyParent_IsTopOfSite()
    {
        var parsed = RegistryCsv.ParseAssets(new StringReader("key,site_key,parent_key,name,type,latitude,longitude\nc.n,c,,North,District,52,13\n"));

        Assert.Null(Assert.Single(parsed.Rows).Input.ParentKey);
        Assert.Empty(parsed.Errors);
    }

    [Fact]
    public void ParseAssets_NumericType_Refused()
    {
        var parsed = RegistryCsv.ParseAssets(new StringReader("key,site_key,parent_key,name,type,latitude,longitude\nc.n,c,,North,2,52,13\n"));

        Assert.Equal("type", Assert.Single(parsed.Errors).Column);
    }
}
