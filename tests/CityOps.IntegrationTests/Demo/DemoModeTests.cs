using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator;
using CityOps.Web.Features.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.IntegrationTests.Demo;

/// <summary>Demo mode end to end: the demo world is registered and the twin's readings arrive through ingest.</summary>
public sealed class DemoModeTests(PostgresFixture pg) : IAsyncLifetime
{
    private CityOpsAppFactory _app = null!;
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        _connectionString = await pg.CreateDatabaseAsync();
        _app = new CityOpsAppFactory(_connectionString, new Dictionary<string, string?>
        {
            ["CityOps:DemoMode"] = "true",
            ["Demo:BackfillHours"] = "1",
            ["Demo:TickMilliseconds"] = "200",
        });
        _ = _app.Services;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DemoMode_Started_RegistersTheDemoWorldAndStoresHistoryAndLiveReadings()
    {
        var world = DemoWorld.Create();
        Assert.Equal(world.Sensors.Count, await ScalarAsync<long>("SELECT count(*) FROM sensors"));
        Assert.Equal(world.Actuators.Count, await ScalarAsync<long>("SELECT count(*) FROM actuators"));

        // History covers the backfill hour (every sensor at least once a minute); live readings keep arriving after it.
        var historyEnd = DateTime.UtcNow.AddMinutes(-1);
        var expected = world.Sensors.Count * 55L;
        var history = await WaitForAsync(() => ScalarAsync<long>("SELECT count(*) FROM readings WHERE ts < $1", historyEnd), n => n >= expected);
        Assert.True(history >= expected, $"only {history} historical readings, expected at least {expected}");
        var live0 = await ScalarAsync<long>("SELECT count(*) FROM readings WHERE ts > now() - interval '1 minute'");
        var live1 = await WaitForAsync(() => ScalarAsync<long>("SELECT count(*) FROM readings WHERE ts > now() - interval '1 minute'"), n => n > live0);
        Assert.True(live1 > live0, "no live readings arrived");
    }

    [Fact]
    public async Task InjectFault_AsAdministrator_IsRecordedInTheFaultLog()
    {
        var client = _app.CreateBrowserLikeClient();
        var password = "Admin-test-1234";
        await AccountClient.CreateUserAsync(_app.Services, "fault-admin@example.org", password, Roles.Administrator);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountClient.SignInAsync(client, "fault-admin@example.org", password)).StatusCode);
        await WaitForAsync(() => Task.FromResult(_app.Services.GetRequiredService<CityOps.Web.Features.Demo.DemoTwinHost>().IsRunning), r => r);

        var sensor = DemoWorld.Create().Sensors.First(s => s.Key.EndsWith(".motor_temp", StringComparison.Ordinal)).Key;
        var created = await client.PostAsJsonAsync("/api/v1/demo/faults",
            new { kind = "Stuck", target = sensor, durationMinutes = 5 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var log = await client.GetFromJsonAsync<JsonElement>("/api/v1/demo/faults", TestContext.Current.CancellationToken);
        var fault = Assert.Single(log.EnumerateArray(), f => f.GetProperty("target").GetString() == sensor);
        Assert.Equal("Stuck", fault.GetProperty("kind").GetString());
        var start = fault.GetProperty("start").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromMinutes(5), fault.GetProperty("end").GetDateTimeOffset() - start);

        var bad = await client.PostAsJsonAsync("/api/v1/demo/faults",
            new { kind = "Leak", target = "no.such.zone", durationMinutes = 5 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task InjectFault_AsOperator_IsForbidden()
    {
        var client = _app.CreateBrowserLikeClient();
        await AccountClient.CreateUserAsync(_app.Services, "fault-operator@example.org", "Operator-test-1234", Roles.Operator);
        await AccountClient.SignInAsync(client, "fault-operator@example.org", "Operator-test-1234");
        var response = await client.PostAsJsonAsync("/api/v1/demo/faults",
            new { kind = "Stuck", target = "x", durationMinutes = 5 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }
        return (T)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var value = await probe();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            value = await probe();
        }
        return value;
    }
}
