using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Telemetry;

/// <summary>The application on Kestrel with the test world registered, an ingest+read key, an ingest-only key and an operator.</summary>
public sealed class TelemetryHubFixture(PostgresFixture pg) : IAsyncLifetime
{
    public const string OperatorEmail = "hub-operator@example.org";
    public const string OperatorPassword = "Operator-hub-1234";

    public KestrelApp App { get; private set; } = null!;
    public string Key { get; private set; } = "";
    public string IngestOnlyKey { get; private set; } = "";

    public async ValueTask InitializeAsync() => await InitializeAsync(await pg.CreateDatabaseAsync());

    /// <summary>Starts on the given database (a test that restarts the application keeps its database).</summary>
    public async Task InitializeAsync(string database)
    {
        App = KestrelApp.Start(database);
        await App.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create(), TestContext.Current.CancellationToken);
        var keys = App.Services.GetRequiredService<ApiKeyService>();
        Key = (await keys.CreateAsync("hub test", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
        IngestOnlyKey = (await keys.CreateAsync("hub test ingest only", ApiKeyScopes.Ingest)).Secret;
        await AccountClient.CreateUserAsync(App.Services, OperatorEmail, OperatorPassword, Roles.Operator);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    public HubConnection Connection(string? apiKey, bool messagePack = false, CookieContainer? cookies = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(App.BaseUrl + TelemetryHub.Path, o =>
        {
            if (apiKey is not null)
            {
                o.Headers["X-Api-Key"] = apiKey;
            }
            if (cookies is not null)
            {
                o.Cookies = cookies;
            }
            o.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        });
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }
        return builder.Build();
    }

    /// <summary>Posts readings through the public API and expects 202.</summary>
    public async Task IngestAsync(params (string Sensor, DateTime Ts, double Value)[] readings)
    {
        using var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var body = JsonSerializer.Serialize(readings.Select(r => new { sensor = r.Sensor, ts = r.Ts.ToString("O"), value = r.Value }));
        using var response = await http.PostAsync("/api/v1/readings", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
