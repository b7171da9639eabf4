using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator;
using CityOps.Simulator.World;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>Demo mode seeds the demo rule set, the engine runs it over the twin's readings, and rules can be re-learned.</summary>
public sealed class DemoRulesTests(PostgresFixture pg) : IAsyncLifetime
{
    private CityOpsAppFactory _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = new CityOpsAppFactory(await pg.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["CityOps:DemoMode"] = "true",
            ["Demo:BackfillHours"] = "1",
        });
        _ = _app.Services;
        await _app.Services.GetRequiredService<AlertEngineService>().Ready.WaitAsync(TimeSpan.FromSeconds(60), Ct);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DemoMode_FirstStart_SeedsEveryDemoRuleAsVersionOne()
    {
        var expected = DemoRuleSet.Create(DemoWorld.Create());
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);

        var rules = await db.AlertRules.AsNoTracking().ToListAsync(Ct);
        var versions = await db.AlertRuleVersions.AsNoTracking().ToListAsync(Ct);

        Assert.Equal(expected.Select(r => r.Key).Order(), rules.Select(r => r.Key).Order());
        Assert.All(rules, r => Assert.Equal(1, r.Version));
        Assert.Equal(rules.Count, versions.Count);
        var limit = rules.Single(r => r.Key == "plant.motor_temp.high");
        Assert.Equal(expected.Single(r => r.Key == "plant.motor_temp.high").Model, limit.Definition.Model);
    }

    [Fact]
    public async Task Relearn_Administrator_ReplaysHistoryAndUnknownRuleIsNotFound()
    {
        var client = _app.CreateBrowserLikeClient();
        const string password = "Admin-relearn-1234";
        await AccountClient.CreateUserAsync(_app.Services, "relearn-admin@example.org", password, Roles.Administrator);
        Assert.Equal(HttpStatusCode.Redirect, (await AccountClient.SignInAsync(client, "relearn-admin@example.org", password)).StatusCode);

        using var response = await client.PostAsync("/api/v1/alerts/rules/plant.motor_temp.high/relearn?days=1", null, Ct);
        using var unknown = await client.PostAsync("/api/v1/alerts/rules/no.such.rule/relearn", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("plant.motor_temp.high", body.GetProperty("rule").GetString());
        Assert.True(body.GetProperty("points").GetInt32() >= 0);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        var entry = await db.AuditLog.AsNoTracking().SingleAsync(e => e.Action == "rule.relearned" && e.Target == "rule:plant.motor_temp.high", Ct);
        Assert.Equal("relearn-admin@example.org", entry.Actor);
        Assert.Equal(CityOps.Web.Features.Audit.AuditCategory.Administration, entry.Category);
    }

    [Fact]
    public async Task Relearn_Operator_Forbidden()
    {
        var client = _app.CreateBrowserLikeClient();
        const string password = "Operator-relearn-1234";
        await AccountClient.CreateUserAsync(_app.Services, "relearn-operator@example.org", password, Roles.Operator);
        await AccountClient.SignInAsync(client, "relearn-operator@example.org", password);

        using var response = await client.PostAsync("/api/v1/alerts/rules/plant.motor_temp.high/relearn", null, Ct);

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Redirect });
    }
}
