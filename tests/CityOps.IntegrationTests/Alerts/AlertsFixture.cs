using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>The application on Kestrel with the test world, an ingest+read key and an operator; readings go through the HTTP API.</summary>
public sealed class AlertsFixture(PostgresFixture pg) : IAsyncLifetime
{
    public const string OperatorEmail = "alarm-operator@example.org";
    public const string OperatorPassword = "Operator-alarm-1234";
    public const string Speed = "tcity.north.x1.speed";
    public const string Occupancy = "tcity.north.x1.occupancy";
    public const string PressTemp = "tplant.line1.press.temp";

    private static long _lastTicks;

    public KestrelApp App { get; private set; } = null!;
    public string Key { get; private set; } = "";
    public string Database { get; private set; } = "";

    public AlarmBoard Board => App.Services.GetRequiredService<AlarmBoard>();

    public async ValueTask InitializeAsync() => await StartAsync(await pg.CreateDatabaseAsync(), firstStart: true);

    /// <summary>Starts on the given database; a restart keeps its registry, keys and users.</summary>
    public async Task StartAsync(string database, bool firstStart)
    {
        Database = database;
        App = KestrelApp.Start(database);
        if (firstStart)
        {
            await App.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create(), TestContext.Current.CancellationToken);
            await AccountClient.CreateUserAsync(App.Services, OperatorEmail, OperatorPassword, Roles.Operator);
        }
        Key = (await App.Services.GetRequiredService<ApiKeyService>().CreateAsync($"alerts test {Guid.NewGuid():N}", ApiKeyScopes.Ingest | ApiKeyScopes.Read)).Secret;
        await App.Services.GetRequiredService<AlertEngineService>().Ready.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    /// <summary>A reading time after every one handed out before, so each sensor's readings arrive in time order.</summary>
    public static DateTime NextTime()
    {
        var now = DateTime.UtcNow.Ticks;
        long taken, next;
        do
        {
            taken = Volatile.Read(ref _lastTicks);
            next = Math.Max(now - now % TimeSpan.TicksPerMillisecond, taken + TimeSpan.TicksPerMillisecond);
        }
        while (Interlocked.CompareExchange(ref _lastTicks, next, taken) != taken);
        return new DateTime(next, DateTimeKind.Utc);
    }

    /// <summary>Posts readings (each at a fresh time) through the public API and expects 202.</summary>
    public async Task IngestAsync(params (string Sensor, double Value)[] readings)
    {
        using var http = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var body = JsonSerializer.Serialize(readings.Select(r => new { sensor = r.Sensor, ts = NextTime().ToString("O"), value = r.Value }));
        using var response = await http.PostAsync("/api/v1/readings", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>Saves a high-limit rule on one sensor with a unique key and returns the key.</summary>
    public async Task<string> AddHighLimitRuleAsync(string sensorKey, double high, string? key = null)
    {
        key ??= $"test.{Guid.NewGuid():N}";
        var definition = new AlertRuleDefinition(key, $"High {sensorKey}", new RuleScope(SensorKey: sensorKey),
            new LimitParameters { High = high, Deadband = 1 }, AlarmPriority.High, $"{sensorKey} above {high}",
            new Rationalisation("Overload", "Damage", "Reduce load", TimeSpan.FromMinutes(10)), []);
        await App.Services.GetRequiredService<AlertRuleStore>().SaveAsync(definition, "admin@example.org", "test rule", TestContext.Current.CancellationToken);
        return key;
    }

    /// <summary>Waits until the rule's standing alarm matches, and returns it.</summary>
    public async Task<AlarmView> WaitForAlarmAsync(string ruleKey, Func<AlarmView, bool> condition, string what)
    {
        AlarmView? found = null;
        await Wait.UntilAsync(() =>
        {
            found = Board.Standing().FirstOrDefault(a => a.RuleKey == ruleKey && condition(a));
            return Task.FromResult(found is not null);
        }, TimeSpan.FromSeconds(30), what);
        return found!;
    }

    public async Task<T> QueryAsync<T>(Func<CityOpsDbContext, Task<T>> query)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await query(db);
    }

    /// <summary>An HTTP client signed in as the operator (cookies kept).</summary>
    public async Task<HttpClient> SignedInOperatorAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(App.BaseUrl) };
        using var response = await AccountClient.SignInAsync(client, OperatorEmail, OperatorPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public HubConnection HubConnection() =>
        new HubConnectionBuilder().WithUrl(App.BaseUrl + TelemetryHub.Path, o => o.Headers["X-Api-Key"] = Key).Build();
}
