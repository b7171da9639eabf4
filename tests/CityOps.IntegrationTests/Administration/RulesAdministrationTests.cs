using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Administration;

/// <summary>The application on a database of its own with an administrator signed in.</summary>
public sealed class RulesAdministrationFixture(PostgresFixture pg) : IAsyncLifetime
{
    public const string AdminEmail = "rules-admin@example.org";
    private const string AdminPassword = "Rules-admin-1234";

    public CityOpsAppFactory App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        _ = App.Services;
        await AccountClient.CreateUserAsync(App.Services, AdminEmail, AdminPassword, Roles.Administrator);
        Http = App.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.Redirect, (await AccountClient.SignInAsync(Http, AdminEmail, AdminPassword)).StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>The rule editor's API under /api/v1/admin/rules, signed in as an administrator. Each test uses rule keys of its own.</summary>
public sealed class RulesAdministrationTests(RulesAdministrationFixture fixture) : IClassFixture<RulesAdministrationFixture>
{
    private const string AdminEmail = RulesAdministrationFixture.AdminEmail;
    private const string Api = "/api/v1/admin/rules";

    private CityOpsAppFactory App => fixture.App;
    private HttpClient Http => fixture.Http;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AlertRuleDefinition Rule(string key, double high = 90, double? low = null, double deadband = 2) =>
        new(key, $"Rule {key}", new RuleScope(AssetType: CityOps.Analytics.AssetType.Machine, Metric: CityOps.Analytics.MetricKind.Temperature),
            new LimitParameters { High = high, Low = low, Deadband = deadband }, AlarmPriority.Medium, "Motor hot",
            new Rationalisation("Wear", "Damage", "Slow the line", TimeSpan.FromMinutes(15)), ["line.reduce_speed"]);

    private Task<HttpResponseMessage> PutAsync(AlertRuleDefinition rule, string? note = null, string? key = null) =>
        Http.PutAsync($"{Api}/{key ?? rule.Key}", Body(new { definition = rule, changeNote = note }), Ct);

    private static StringContent Body(object value) =>
        new(JsonSerializer.Serialize(value, AlertRuleJson.Options), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    private async Task<T> QueryAsync<T>(Func<CityOpsDbContext, Task<T>> query)
    {
        await using var db = await App.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        return await query(db);
    }

    [Fact]
    public async Task Put_DeadbandWiderThanTheLimits_400ExplainingItUnderTheField()
    {
        using var response = await PutAsync(Rule("test.invalid", high: 15, low: 10, deadband: 6));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        var message = Assert.Single(errors.GetProperty("model.deadband").EnumerateArray()).GetString();
        Assert.StartsWith("The deadband (6) must be smaller than the distance between the low and high limits (5)", message);
        Assert.False(await QueryAsync(db => db.AlertRules.AnyAsync(r => r.Key == "test.invalid", Ct)));
    }

    [Fact]
    public async Task Put_KeyDiffersFromTheAddress_400()
    {
        using var response = await PutAsync(Rule("test.one"), key: "test.other");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await JsonAsync(response)).GetProperty("errors").TryGetProperty("key", out _));
    }

    [Fact]
    public async Task Put_TwiceThenVersions_NewestFirstWithWhoAndWhy()
    {
        using (var first = await PutAsync(Rule("test.versions"), "first"))
        {
            Assert.Equal(1, (await JsonAsync(first)).GetProperty("version").GetInt32());
        }
        using (var second = await PutAsync(Rule("test.versions", high: 95), "raised the limit"))
        {
            Assert.Equal(2, (await JsonAsync(second)).GetProperty("version").GetInt32());
        }

        var rule = await Http.GetFromJsonAsync<JsonElement>($"{Api}/test.versions", Ct);
        var versions = await Http.GetFromJsonAsync<JsonElement>($"{Api}/test.versions/versions", Ct);

        Assert.Equal(2, rule.GetProperty("version").GetInt32());
        Assert.Equal(95, rule.GetProperty("definition").GetProperty("model").GetProperty("high").GetDouble());
        Assert.Equal("limit", rule.GetProperty("definition").GetProperty("model").GetProperty("model").GetString());
        Assert.Equal([2, 1], versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Equal(["raised the limit", "first"], versions.EnumerateArray().Select(v => v.GetProperty("changeNote").GetString()));
        Assert.All(versions.EnumerateArray(), v => Assert.Equal(AdminEmail, v.GetProperty("savedBy").GetString()));
        using var missing = await Http.GetAsync($"{Api}/test.nothing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Restore_OldVersion_SavedAsANewVersionAndAudited()
    {
        (await PutAsync(Rule("test.restore", high: 90), "v1")).Dispose();
        (await PutAsync(Rule("test.restore", high: 120), "v2")).Dispose();

        using var response = await Http.PostAsync($"{Api}/test.restore/restore/1", Body(new { reason = "v2 missed a fault" }), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, (await JsonAsync(response)).GetProperty("version").GetInt32());
        var store = App.Services.GetRequiredService<AlertRuleStore>();
        var rule = await store.GetAsync("test.restore", Ct);
        Assert.Equal(3, rule!.Version);
        Assert.Equal(90, ((LimitParameters)rule.Definition.Model).High);
        var versions = await store.ListVersionsAsync("test.restore", Ct);
        Assert.Equal([3, 2, 1], versions.Select(v => v.Version));
        Assert.Equal("Restored version 1: v2 missed a fault", versions[0].ChangeNote);
        var audit = await QueryAsync(db => db.AuditLog.AsNoTracking().Where(e => e.Target == "rule:test.restore").OrderBy(e => e.Id).ToListAsync(Ct));
        Assert.Equal(["rule.saved", "rule.saved", "rule.restored"], audit.Select(e => e.Action));
        Assert.Equal(AdminEmail, audit[^1].Actor);
        Assert.Contains("120", audit[^1].Before);
        Assert.Contains("90", audit[^1].After);
        using var unknown = await Http.PostAsync($"{Api}/test.restore/restore/9", null, Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Clone_NewKey_DisabledCopyAndTakenKeyIsAConflict()
    {
        (await PutAsync(Rule("test.original"))).Dispose();

        using var response = await Http.PostAsync($"{Api}/test.original/clone", Body(new { newKey = "test.copy" }), Ct);
        using var again = await Http.PostAsync($"{Api}/test.original/clone", Body(new { newKey = "test.copy" }), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var copy = await App.Services.GetRequiredService<AlertRuleStore>().GetAsync("test.copy", Ct);
        Assert.NotNull(copy);
        Assert.False(copy.Enabled);
        Assert.Equal("Rule test.original (copy)", copy.Definition.Name);
        Assert.Equal(Rule("test.original").Model, copy.Definition.Model);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task DisableEnableDelete_RuleFollowsAndDeletedIsGone()
    {
        (await PutAsync(Rule("test.switch"))).Dispose();

        using (var disabled = await Http.PostAsync($"{Api}/test.switch/disable", Body(new { reason = "maintenance" }), Ct))
        {
            Assert.False((await JsonAsync(disabled)).GetProperty("enabled").GetBoolean());
        }
        using (var enabled = await Http.PostAsync($"{Api}/test.switch/enable", null, Ct))
        {
            Assert.True((await JsonAsync(enabled)).GetProperty("enabled").GetBoolean());
        }
        using var deleted = await Http.DeleteAsync($"{Api}/test.switch?reason=obsolete", Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await Http.GetAsync($"{Api}/test.switch", Ct);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var list = await Http.GetFromJsonAsync<JsonElement>(Api, Ct);
        Assert.DoesNotContain(list.EnumerateArray(), r => r.GetProperty("key").GetString() == "test.switch");
    }

    [Fact]
    public async Task Import_FileWithBadRules_PerRuleReportAndOnlyTheGoodOnesSaved()
    {
        (await PutAsync(Rule("test.import.same"))).Dispose();
        (await PutAsync(Rule("test.import.changed", high: 80))).Dispose();
        var rules = new JsonArray(
            Node(Rule("test.import.new")),
            Node(Rule("test.import.same")),
            Node(Rule("test.import.changed", high: 85)),
            Node(Rule("test.import.bad", high: 15, low: 10, deadband: 6)),
            JsonNode.Parse("""{ "key": "test.import.broken", "model": { "model": "teleport" } }"""),
            Node(Rule("test.import.twice")),
            Node(Rule("test.import.twice", high: 99)));
        var file = new JsonObject { ["format"] = "cityops.alert-rules", ["version"] = 1, ["exportedAt"] = "2026-11-27T00:00:00Z", ["rules"] = rules }.ToJsonString();

        using var dry = await Http.PostAsync($"{Api}/import?dryRun=true", new StringContent(file, Encoding.UTF8, "application/json"), Ct);
        var dryReport = await JsonAsync(dry);
        var afterDryRun = await QueryAsync(db => db.AlertRules.CountAsync(r => r.Key.StartsWith("test.import."), Ct));
        using var real = await Http.PostAsync($"{Api}/import", new StringContent(file, Encoding.UTF8, "application/json"), Ct);
        var report = await JsonAsync(real);

        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        Assert.True(dryReport.GetProperty("dryRun").GetBoolean());
        Assert.Equal(2, afterDryRun);
        var lines = report.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(
            ["Created", "Unchanged", "Updated", "Rejected", "Rejected", "Rejected", "Rejected"],
            lines.Select(l => l.GetProperty("outcome").GetString()));
        Assert.Equal(Enumerable.Range(1, 7), lines.Select(l => l.GetProperty("position").GetInt32()));
        Assert.Contains(lines[3].GetProperty("problems").EnumerateArray(), p => p.GetString()!.StartsWith("model.deadband: The deadband (6)", StringComparison.Ordinal));
        Assert.Equal("test.import.broken", lines[4].GetProperty("key").GetString());
        Assert.Contains("cannot be read", lines[4].GetProperty("problems")[0].GetString());
        Assert.Contains("appears 2 times in the file (rules 6, 7)", lines[5].GetProperty("problems")[0].GetString());
        Assert.Equal(4, report.GetProperty("rejected").GetInt32());

        var keys = await QueryAsync(db => db.AlertRules.AsNoTracking().Where(r => r.Key.StartsWith("test.import.")).OrderBy(r => r.Key).Select(r => new { r.Key, r.Version }).ToListAsync(Ct));
        Assert.Equal([("test.import.changed", 2), ("test.import.new", 1), ("test.import.same", 1)], keys.Select(k => (k.Key, k.Version)));
        var notes = await QueryAsync(db => db.AlertRuleVersions.AsNoTracking().Where(v => v.ChangeNote == "Imported" && v.RuleKey.StartsWith("test.import.")).Select(v => v.RuleKey).OrderBy(k => k).ToListAsync(Ct));
        Assert.Equal(["test.import.changed", "test.import.new"], notes);
    }

    [Fact]
    public async Task Import_NotAnExport_400()
    {
        using var response = await Http.PostAsync($"{Api}/import", new StringContent("""{ "rules": [] }""", Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cityops.alert-rules", (await JsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Export_ThenImport_EveryRuleUnchanged()
    {
        (await PutAsync(Rule("test.export.a"))).Dispose();
        (await PutAsync(Rule("test.export.b", high: 70))).Dispose();
        (await Http.PostAsync($"{Api}/test.export.b/disable", null, Ct)).Dispose();

        using var export = await Http.GetAsync($"{Api}/export?keys=test.export.a&keys=test.export.b", Ct);
        var file = await export.Content.ReadAsStringAsync(Ct);
        using var import = await Http.PostAsync($"{Api}/import?dryRun=true", new StringContent(file, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        var document = JsonNode.Parse(file)!;
        Assert.Equal("cityops.alert-rules", document["format"]!.GetValue<string>());
        Assert.Equal(1, document["version"]!.GetValue<int>());
        Assert.Equal(["test.export.a", "test.export.b"], document["rules"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()));
        Assert.False(document["rules"]![1]!["enabled"]!.GetValue<bool>());
        var lines = (await JsonAsync(import)).GetProperty("lines").EnumerateArray();
        Assert.All(lines, l => Assert.Equal("Unchanged", l.GetProperty("outcome").GetString()));
        using var unknown = await Http.GetAsync($"{Api}/export?keys=test.nothing", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Backtest_NoHistory_ZeroReadingsAndRangeDefaultsToSevenDays()
    {
        using var response = await Http.PostAsync($"{Api}/backtest", Body(new { definition = Rule("test.backtest") }), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await JsonAsync(response)).GetProperty("result");
        Assert.Equal(0, result.GetProperty("readings").GetInt64());
        Assert.Equal(TimeSpan.FromDays(7), result.GetProperty("to").GetDateTime() - result.GetProperty("from").GetDateTime());
        using var invalid = await Http.PostAsync($"{Api}/backtest", Body(new { definition = Rule("test.backtest", high: 15, low: 10, deadband: 6) }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Api_SignedInOperator_Refused()
    {
        const string password = "Rules-operator-1234";
        await AccountClient.CreateUserAsync(App.Services, "rules-operator@example.org", password, Roles.Operator);
        using var client = App.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "rules-operator@example.org", password);

        using var list = await client.GetAsync(Api, Ct);
        using var put = await client.PutAsync($"{Api}/test.sneaky", Body(new { definition = Rule("test.sneaky") }), Ct);

        Assert.Contains(list.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Redirect });
        Assert.Contains(put.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Redirect });
        Assert.False(await QueryAsync(db => db.AlertRules.AnyAsync(r => r.Key == "test.sneaky", Ct)));
    }

    private static JsonNode Node(AlertRuleDefinition rule) => JsonSerializer.SerializeToNode(rule, AlertRuleJson.Options)!;
}
