using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class ReadApiTests(PostgresFixture pg) : IAsyncLifetime
{
    private IngestTestHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StartAsync(await pg.CreateDatabaseAsync());

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task GetSensors_ReadKey_ListsRegistryWithRangesAndLocation()
    {
        var response = await _host.Client(_host.ReadKey).GetAsync("/api/v1/sensors", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sensors = (await ReadJsonAsync(response)).EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!);
        Assert.Equal(5, sensors.Count);
        var temp = sensors[Temperature];
        Assert.Equal("test", temp.GetProperty("site").GetString());
        Assert.Equal("test.line1", temp.GetProperty("asset").GetString());
        Assert.Equal("Temperature", temp.GetProperty("metric").GetString());
        Assert.Equal("°C", temp.GetProperty("unit").GetString());
        Assert.Equal(-40, temp.GetProperty("min").GetDouble());
        Assert.Equal(400, temp.GetProperty("max").GetDouble());
        Assert.Equal(1, temp.GetProperty("intervalSeconds").GetDouble());
        Assert.Equal(52.52, temp.GetProperty("lat").GetDouble());
        // A sensor without its own position is placed at its asset.
        Assert.Equal(13.41, sensors[Pressure].GetProperty("lon").GetDouble());
    }

    [Fact]
    public async Task GetSensors_Anonymous_401()
    {
        var response = await _host.Client(null).GetAsync("/api/v1/sensors", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetSensors_IngestOnlyKey_403()
    {
        var response = await _host.Client(_host.IngestKey).GetAsync("/api/v1/sensors", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task GetSeries_AccessTokenQuery_Authenticates()
    {
        var response = await _host.Client(null).GetAsync($"/api/v1/sensors/{Temperature}/series?access_token={_host.ReadKey}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task GetSeries_UnknownSensor_404Problem()
    {
        var response = await _host.Client(_host.ReadKey).GetAsync("/api/v1/sensors/nope/series", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "earlier")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z&step=raw", "at most 7 days")]
    [InlineData("from=yesterday", "ISO-8601")]
    [InlineData("step=5m", "raw, 1m or 1h")]
    public async Task GetSeries_InvalidRange_400WithReason(string query, string expected)
    {
        var response = await _host.Client(_host.ReadKey).GetAsync($"/api/v1/sensors/{Temperature}/series?{query}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task GetSeries_Hourly_ServedFromRollupsWithMean()
    {
        var t0 = new DateTimeOffset(DateTime.UtcNow.AddHours(-4).Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        var post = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings",
            Json(Batch((Flow, t0.AddMinutes(5), 10), (Flow, t0.AddMinutes(50), 30), (Flow, t0.AddMinutes(70), 7))), Ct);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        await _host.FlushRollupsAsync();

        var hours = await ReadJsonAsync(await _host.Client(_host.ReadKey).GetAsync(
            $"/api/v1/sensors/{Flow}/series?from={Uri.EscapeDataString(t0.ToString("O"))}&to={Uri.EscapeDataString(t0.AddHours(3).ToString("O"))}&step=1h", Ct));

        Assert.Equal(2, hours.GetArrayLength());
        Assert.Equal(t0.UtcDateTime, hours[0].GetProperty("ts").GetDateTime().ToUniversalTime());
        Assert.Equal(20.0, hours[0].GetProperty("mean").GetDouble());
        Assert.Equal(30.0, hours[0].GetProperty("max").GetDouble());
        Assert.Equal(7.0, hours[1].GetProperty("min").GetDouble());
    }

    [Fact]
    public async Task OpenApi_Document_DescribesEndpoints()
    {
        var client = _host.Client(null);

        var document = await client.GetStringAsync("/openapi/v1.json", Ct);
        var ui = await client.GetAsync("/api/docs/index.html", Ct);

        Assert.Contains("/api/v1/readings", document);
        Assert.Contains("/api/v1/sensors/{key}/series", document);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}
