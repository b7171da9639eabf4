using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Telemetry;

/// <summary>
/// Two CityOps nodes on real Kestrel sharing one database and one private Redis, as when scaled out behind a load
/// balancer; the test world, an ingest+read key and a high-limit alarm rule on the press temperature exist before
/// node B starts, so both nodes know them from the start.
/// </summary>
public sealed class ScaleOutFixture(PostgresFixture pg) : IAsyncLifetime
{
    public const double PressTempHighLimit = 150;

    public LocalRedis Redis { get; private set; } = null!;
    public KestrelApp A { get; private set; } = null!;
    public KestrelApp B { get; private set; } = null!;
    public string Key { get; private set; } = "";
    public string AlarmRule { get; } = $"scaleout.{Guid.NewGuid():N}";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        Redis = await LocalRedis.StartAsync();
        var database = await pg.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = Redis.ConnectionString };
        A = KestrelApp.Start(database, settings);
        await A.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create(), ct);
        Key = (await A.Services.GetRequiredService<ApiKeyService>().CreateAsync("scale-out test", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
        var rule = new AlertRuleDefinition(AlarmRule, "Press too hot", new RuleScope(SensorKey: "tplant.line1.press.temp"),
            new LimitParameters { High = PressTempHighLimit, Deadband = 1 }, AlarmPriority.High, "Press temperature above the limit",
            new Rationalisation("Overload", "Damage", "Reduce load", TimeSpan.FromMinutes(10)), []);
        await A.Services.GetRequiredService<AlertRuleStore>().SaveAsync(rule, "admin@example.org", "scale-out test", ct);
        B = KestrelApp.Start(database, settings);
        var timeout = TimeSpan.FromSeconds(60);
        foreach (var node in new[] { A, B })
        {
            await node.Services.GetRequiredService<LiveRelay>().Subscribed.WaitAsync(timeout, ct);
            await node.Services.GetRequiredService<AlertEngineService>().Ready.WaitAsync(timeout, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (B is not null)
        {
            await B.DisposeAsync();
        }
        if (A is not null)
        {
            await A.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    public HubConnection Connection(KestrelApp node, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder().WithUrl(node.BaseUrl + TelemetryHub.Path, o => o.Headers["X-Api-Key"] = Key);
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }
        return builder.Build();
    }

    /// <summary>Posts readings through the node's public API and expects 202.</summary>
    public async Task IngestAsync(KestrelApp node, params (string Sensor, DateTime Ts, double Value)[] readings)
    {
        using var http = new HttpClient { BaseAddress = new Uri(node.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var body = JsonSerializer.Serialize(readings.Select(r => new { sensor = r.Sensor, ts = r.Ts.ToString("O"), value = r.Value }));
        using var response = await http.PostAsync("/api/v1/readings", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
