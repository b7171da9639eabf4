using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CityOps.Analytics;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>The application on a fresh database with a small registry and an API key per scope.</summary>
internal sealed class IngestTestHost : IAsyncDisposable
{
    public const string Temperature = "test.line1.oven.temp";
    public const string Pressure = "test.line1.press.pressure";
    public const string Flow = "test.water.zone1.flow";
    public const string Power = "test.grid.meter1.power";
    public const string No2 = "test.air.station1.no2";

    /// <summary>Settings under which the rollup worker applies nothing by itself: tests flush it when they choose.</summary>
    public static readonly IReadOnlyDictionary<string, string?> QuietRollupWorker =
        new Dictionary<string, string?> { ["Ingest:RollupInterval"] = "00:10:00", ["Ingest:RollupMaxLag"] = "00:10:00" };

    private IngestTestHost(CityOpsAppFactory app, string connectionString)
    {
        App = app;
        ConnectionString = connectionString;
    }

    public CityOpsAppFactory App { get; }
    public string ConnectionString { get; }
    public string IngestKey { get; private set; } = "";
    public string ReadKey { get; private set; } = "";
    public string BothKey { get; private set; } = "";
    public Guid IngestKeyId { get; private set; }

    public static async Task<IngestTestHost> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = new CityOpsAppFactory(connectionString, settings);
        var host = new IngestTestHost(app, connectionString);
        await host.SeedAsync();
        return host;
    }

    public HttpClient Client(string? apiKey)
    {
        var client = App.CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    /// <summary>Stores the readings the writer committed in <c>readings</c> and merges them into the rollups now, instead of at the worker's next pass.</summary>
    public Task<long> FlushRollupsAsync() => Service<RollupWorker>().FlushAsync(TestContext.Current.CancellationToken);

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public int SensorId(string key) => Service<SensorCatalog>().TryGet(key, out var s) ? s.Id : throw new InvalidOperationException(key);

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string Batch(params (string Sensor, DateTimeOffset Ts, double Value)[] items) =>
        JsonSerializer.Serialize(items.Select(i => new { sensor = i.Sensor, ts = i.Ts.ToString("O"), value = i.Value }));

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

    public Task<T> ScalarAsync<T>(string sql, params object[] args) => QueryScalarAsync<T>(ConnectionString, sql, args);

    public static async Task<T> QueryScalarAsync<T>(string connectionString, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    private async Task SeedAsync()
    {
        var factory = App.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
        await using (var db = await factory.CreateDbContextAsync())
        {
            var site = new Site { Key = "test", Name = "Test city", Kind = SiteKind.City, TimeZone = "Europe/Berlin", Latitude = 52.5, Longitude = 13.4, Zoom = 12 };
            var asset = new Asset { Key = "test.line1", Name = "Line 1", Site = site, Type = AssetType.Line, Latitude = 52.51, Longitude = 13.41 };
            db.Sensors.AddRange(
                new Sensor { Key = Temperature, Asset = asset, Metric = MetricKind.Temperature, Unit = "°C", Min = -40, Max = 400, IntervalSeconds = 1, Latitude = 52.52, Longitude = 13.42 },
                new Sensor { Key = Pressure, Asset = asset, Metric = MetricKind.Pressure, Unit = "bar", Min = 0, Max = 16, IntervalSeconds = 1 },
                new Sensor { Key = Flow, Asset = asset, Metric = MetricKind.Flow, Unit = "m³/h", Min = 0, Max = 1000, IntervalSeconds = 5 },
                new Sensor { Key = Power, Asset = asset, Metric = MetricKind.Power, Unit = "kW", Min = 0, Max = 5000, IntervalSeconds = 5 },
                new Sensor { Key = No2, Asset = asset, Metric = MetricKind.No2, Unit = "µg/m³", Min = 0, Max = 1000, IntervalSeconds = 60 });
            await db.SaveChangesAsync();
        }
        await Service<SensorCatalog>().RefreshAsync();
        var keys = Service<ApiKeyService>();
        var ingest = await keys.CreateAsync("ingest gateway", ApiKeyScopes.Ingest);
        IngestKey = ingest.Secret;
        IngestKeyId = ingest.Id;
        ReadKey = (await keys.CreateAsync("reader", ApiKeyScopes.Read)).Secret;
        BothKey = (await keys.CreateAsync("both", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
    }
}
