using System.Net;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;

namespace CityOps.IntegrationTests.Accounts;

/// <summary>The health endpoints are anonymous, like the sign-in endpoints this folder tests.</summary>
public class HealthTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_MigratedDatabase_LiveAndReadyAnswer200WithoutSignIn()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var client = app.CreateBrowserLikeClient();

        var live = await client.GetAsync("/health/live", Ct);
        var ready = await client.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("database", body.RootElement.GetProperty("checks")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Ready_DatabaseNotMigrated_Answers503WhileLiveStays200()
    {
        var settings = new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" };
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync(), settings);
        var client = app.CreateBrowserLikeClient();

        var ready = await client.GetAsync("/health/ready", Ct);
        var live = await client.GetAsync("/health/live", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("not applied", await ready.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
