using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Analytics;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator.World;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Kpi;

/// <summary>The application on a fresh database with a small plant and city (site time zone UTC, so hours are easy to check by hand).</summary>
internal sealed class KpiTestHost : IAsyncDisposable
{
    private KpiTestHost(CityOpsAppFactory app) => App = app;

    public CityOpsAppFactory App { get; }
    private string _key = "";

    /// <summary>The most recent Tuesday at least two days ago, at midnight UTC: inside raw retention, with a week before it also inside.</summary>
    public static DateTime Tuesday
    {
        get
        {
            var day = DateTime.UtcNow.Date.AddDays(-2);
            while (day.DayOfWeek != DayOfWeek.Tuesday)
                day = day.AddDays(-1);
            return day;
        }
    }

    /// <summary>The settings the hand-computed figures assume.</summary>
    public static Dictionary<string, string?> Settings => new()
    {
        ["Kpi:IdealPartsPerMinute:kp.line1"] = "10",
        ["Kpi:FreeFlowSpeedKmh:kc.d1.x1"] = "50",
    };

    /// <summary>
    /// Machine one, Tuesday's early shift 06:00–14:00 (planned stops 06:00–06:15 and 10:00–10:30, so 435 planned
    /// minutes), one state reading a minute: idle in the planned stops, down 08:00–08:20 and 12:00–12:10 (two failures,
    /// 30 minutes), running otherwise (405 minutes), making 9 good and 1 scrap part in each running minute; the
    /// incomer meters 100 kWh an hour.
    /// </summary>
    public static IEnumerable<(string, DateTime, double)> Shift(DateTime day)
    {
        for (var m = 0; m < 480; m++)
        {
            var t = day.AddHours(6).AddMinutes(m);
            var state = m < 15 || (m >= 240 && m < 270) ? 1 : (m >= 120 && m < 140) || (m >= 360 && m < 370) ? 0 : 2;
            yield return ("kp.line1.m1.state", t, state);
            yield return ("kp.line1.m1.good", t, state == 2 ? 9 : 0);
            yield return ("kp.line1.m1.scrap", t, state == 2 ? 1 : 0);
        }
        for (var h = 0; h < 8; h++)
            yield return ("kp.meter.energy", day.AddHours(6 + h).AddMinutes(30), 100);
    }

    /// <summary>Posts readings through the ingest API of <paramref name="client"/> (which carries an ingest key).</summary>
    public static async Task PostAsync(HttpClient client, IEnumerable<(string Sensor, DateTime Ts, double Value)> readings)
    {
        foreach (var batch in readings.Chunk(5000))
        {
            var json = JsonSerializer.Serialize(batch.Select(r => new { sensor = r.Sensor, ts = DateTime.SpecifyKind(r.Ts, DateTimeKind.Utc).ToString("O"), value = r.Value }));
            var response = await client.PostAsync("/api/v1/readings", new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    public static async Task<KpiTestHost> StartAsync(string connectionString)
    {
        var app = new CityOpsAppFactory(connectionString, Settings);
        var host = new KpiTestHost(app);
        await app.Services.GetRequiredService<WorldRegistration>().RegisterAsync(World(), TestContext.Current.CancellationToken);
        await app.Services.GetRequiredService<SensorCatalog>().RefreshAsync();
        host._key = (await app.Services.GetRequiredService<ApiKeyService>().CreateAsync("kpi test", ApiKeyScopes.Ingest)).Secret;
        return host;
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>Posts the readings through the ingest API and merges them into the rollups.</summary>
    public async Task WriteAsync(IEnumerable<(string Sensor, DateTime Ts, double Value)> readings)
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", _key);
        await PostAsync(client, readings);
        await Service<RollupWorker>().FlushAsync(TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    internal static WorldDefinition World()
    {
        SensorDefinition S(string asset, string signal, MetricKind metric, string unit, double max) => new($"{asset}.{signal}", asset, metric, unit, 0, max, 60, 52, 5);
        return new WorldDefinition(
            [
                new SiteDefinition("kp", "KPI Plant", SiteKind.Plant, 52, 5, 16, "UTC"),
                new SiteDefinition("kc", "KPI City", SiteKind.City, 52, 5, 12, "UTC"),
            ],
            [
                new AssetDefinition("kp.line1", "kp", null, "Line one", AssetType.Line, 52, 5),
                // m2 first: m1, registered last, is the line's output machine.
                new AssetDefinition("kp.line1.m2", "kp", "kp.line1", "Machine two", AssetType.Machine, 52, 5),
                new AssetDefinition("kp.line1.m1", "kp", "kp.line1", "Machine one", AssetType.Machine, 52, 5),
                new AssetDefinition("kp.meter", "kp", null, "Incomer", AssetType.EnergyMeter, 52, 5),
                new AssetDefinition("kp.line1.meter", "kp", "kp.line1", "Line one feeder", AssetType.EnergyMeter, 52, 5),
                new AssetDefinition("kc.d1", "kc", null, "District one", AssetType.District, 52, 5),
                new AssetDefinition("kc.d2", "kc", null, "District two", AssetType.District, 52, 5),
                new AssetDefinition("kc.d1.x1", "kc", "kc.d1", "Crossing", AssetType.Intersection, 52, 5),
                new AssetDefinition("kc.d1.aq1", "kc", "kc.d1", "Air station", AssetType.AirQualityStation, 52, 5),
                new AssetDefinition("kc.d1.wz", "kc", "kc.d1", "Water zone", AssetType.WaterZone, 52, 5),
                new AssetDefinition("kc.d1.em", "kc", "kc.d1", "Substation", AssetType.EnergyMeter, 52, 5),
                new AssetDefinition("kc.d2.x1", "kc", "kc.d2", "Quiet crossing", AssetType.Intersection, 52, 5),
                new AssetDefinition("kc.d2.wz", "kc", "kc.d2", "Hill zone", AssetType.WaterZone, 52, 5),
            ],
            [
                S("kp.line1.m1", "state", MetricKind.MachineState, "state", 2), S("kp.line1.m1", "good", MetricKind.GoodParts, "parts", 5000),
                S("kp.line1.m1", "scrap", MetricKind.ScrapParts, "parts", 5000),
                S("kp.line1.m2", "state", MetricKind.MachineState, "state", 2), S("kp.line1.m2", "good", MetricKind.GoodParts, "parts", 5000),
                S("kp.meter", "energy", MetricKind.Energy, "kWh", 5000), S("kp.line1.meter", "energy", MetricKind.Energy, "kWh", 5000),
                S("kc.d1.x1", "speed", MetricKind.TrafficSpeed, "km/h", 130), S("kc.d2.x1", "speed", MetricKind.TrafficSpeed, "km/h", 130),
                S("kc.d1.aq1", "pm25", MetricKind.Pm25, "µg/m³", 500), S("kc.d1.aq1", "no2", MetricKind.No2, "µg/m³", 400),
                // Zone one's billing sensor is found by its signal name, zone two's by its metric.
                S("kc.d1.wz", "flow", MetricKind.Flow, "m³/h", 1000), S("kc.d1.wz", "billed", MetricKind.Flow, "m³", 1000),
                S("kc.d2.wz", "flow", MetricKind.Flow, "m³/h", 1000), S("kc.d2.wz", "metered", MetricKind.Volume, "m³", 1000),
                S("kc.d1.em", "energy", MetricKind.Energy, "kWh", 20000),
            ],
            []);
    }
}
