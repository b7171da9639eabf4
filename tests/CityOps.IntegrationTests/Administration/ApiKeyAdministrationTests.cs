using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.IntegrationTests.Ingest;
using CityOps.Web.Features.Administration.Keys;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Administration;

public sealed class ApiKeyAdministrationTests(PostgresFixture pg)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RevokeAsync_OnNodeA_NextIngestOnNodeBIsRefused()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var admin = nodes.A.Services.GetRequiredService<IApiKeyAdministration>();
        var key = await admin.CreateAsync(ClusterNodes.Administrator(), new ApiKeySettings("gateway 7", ApiKeyScopes.Ingest, null), Ct);
        var gatewayOnB = Gateway(nodes.B, key.Secret);
        // B has verified and cached the key (for an hour, see ClusterNodes).
        Assert.Equal(HttpStatusCode.Accepted, (await Ingest(gatewayOnB)).StatusCode);
        var signalled = SignalSeen(nodes.B, key.Id);

        await admin.RevokeAsync(ClusterNodes.Administrator(), key.Id, Ct);
        await signalled.WaitAsync(Timeout, Ct);
        var after = await Ingest(gatewayOnB);

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Ingest(Gateway(nodes.A, key.Secret))).StatusCode);
    }

    [Fact]
    public async Task UpdateAsync_ScopeTakenAwayOnNodeA_NodeBForbidsAtOnceAndOtherKeysKeepWorking()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var admin = nodes.A.Services.GetRequiredService<IApiKeyAdministration>();
        var key = await admin.CreateAsync(ClusterNodes.Administrator(), new ApiKeySettings("gateway", ApiKeyScopes.Ingest | ApiKeyScopes.Read, null), Ct);
        var other = await admin.CreateAsync(ClusterNodes.Administrator(), new ApiKeySettings("other", ApiKeyScopes.Ingest, null), Ct);
        var gatewayOnB = Gateway(nodes.B, key.Secret);
        Assert.Equal(HttpStatusCode.Accepted, (await Ingest(gatewayOnB)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Ingest(Gateway(nodes.B, other.Secret))).StatusCode);
        var signalled = SignalSeen(nodes.B, key.Id);

        var row = await admin.UpdateAsync(ClusterNodes.Administrator(), key.Id, new ApiKeySettings("gateway (read only)", ApiKeyScopes.Read, null), Ct);
        await signalled.WaitAsync(Timeout, Ct);

        Assert.Equal(("gateway (read only)", ApiKeyScopes.Read), (row.Label, row.Scopes));
        Assert.Equal(HttpStatusCode.Forbidden, (await Ingest(gatewayOnB)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await gatewayOnB.GetAsync("/api/v1/sensors", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await Ingest(Gateway(nodes.B, other.Secret))).StatusCode);
    }

    [Fact]
    public async Task UpdateAsync_ExpiryShortenedOnNodeA_NodeBRefusesOnceItPasses()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var admin = nodes.A.Services.GetRequiredService<IApiKeyAdministration>();
        var key = await admin.CreateAsync(ClusterNodes.Administrator(), new ApiKeySettings("gateway", ApiKeyScopes.Ingest, null), Ct);
        var gatewayOnB = Gateway(nodes.B, key.Secret);
        Assert.Equal(HttpStatusCode.Accepted, (await Ingest(gatewayOnB)).StatusCode);
        var signalled = SignalSeen(nodes.B, key.Id);

        // An expiry a moment ahead (the service refuses the past), reached before B's next request.
        var expires = DateTime.UtcNow.AddSeconds(2);
        await admin.UpdateAsync(ClusterNodes.Administrator(), key.Id, new ApiKeySettings("gateway", ApiKeyScopes.Ingest, expires), Ct);
        await signalled.WaitAsync(Timeout, Ct);
        await Wait.UntilAsync(() => Task.FromResult(DateTime.UtcNow > expires), what: "the expiry");

        Assert.Equal(HttpStatusCode.Unauthorized, (await Ingest(gatewayOnB)).StatusCode);
    }

    [Fact]
    public async Task CreateUpdateRevoke_EachWritesAnAuditEntryWithBeforeAndAfterButNeverTheSecret()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var admin = app.Services.GetRequiredService<IApiKeyAdministration>();
        var chief = ClusterNodes.Administrator("chief@cityops.local");

        var key = await admin.CreateAsync(chief, new ApiKeySettings("  line 2 gateway ", ApiKeyScopes.Ingest, null), Ct);
        await admin.UpdateAsync(chief, key.Id, new ApiKeySettings("line 2 gateway", ApiKeyScopes.Ingest | ApiKeyScopes.Read, null), Ct);
        await admin.RevokeAsync(chief, key.Id, Ct);

        var entries = await IngestTestHost.QueryScalarAsync<string>(database, $"""
            SELECT string_agg(action || '|' || actor || '|' || category || '|' || coalesce(before::text, '-') || '|' || coalesce(after::text, '-'), E'\n' ORDER BY id)
            FROM audit_log WHERE target = 'apikey:{key.Id}'
            """);
        var lines = entries.Split('\n');
        Assert.Equal(["apikey.created", "apikey.updated", "apikey.revoked"], lines.Select(l => l.Split('|')[0]));
        Assert.All(lines, l => Assert.StartsWith("chief@cityops.local|Administration|", l[(l.IndexOf('|') + 1)..]));
        Assert.DoesNotContain(key.Secret, entries);
        Assert.DoesNotContain(key.Secret[12..], entries);
        var created = JsonDocument.Parse(lines[0].Split('|')[4]).RootElement;
        Assert.Equal("line 2 gateway", created.GetProperty("label").GetString());
        Assert.Equal("-", lines[0].Split('|')[3]);
        var updated = lines[1].Split('|');
        Assert.Equal("Ingest", JsonDocument.Parse(updated[3]).RootElement.GetProperty("scopes").GetString());
        Assert.Equal("Ingest, Read", JsonDocument.Parse(updated[4]).RootElement.GetProperty("scopes").GetString());
        var revoked = lines[2].Split('|');
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(revoked[3]).RootElement.GetProperty("revokedAt").ValueKind);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(revoked[4]).RootElement.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task ListAsync_RequestsOnBothNodes_LastUsedAndRateCountEveryNode()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var admin = nodes.A.Services.GetRequiredService<IApiKeyAdministration>();
        var key = await admin.CreateAsync(ClusterNodes.Administrator(), new ApiKeySettings("gateway", ApiKeyScopes.Ingest, null), Ct);
        var idle = await admin.CreateAsync(ClusterNodes.Administrator(), new ApiKeySettings("idle", ApiKeyScopes.Ingest, null), Ct);
        var before = DateTime.UtcNow.AddSeconds(-1);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Ingest(Gateway(nodes.A, key.Secret))).StatusCode);
        }
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Ingest(Gateway(nodes.B, key.Secret))).StatusCode);
        }

        await nodes.A.Services.GetRequiredService<ApiKeyUsageMeter>().FlushAsync(Ct);
        await nodes.B.Services.GetRequiredService<ApiKeyUsageMeter>().FlushAsync(Ct);
        IReadOnlyList<ApiKeyRow> rows = [];
        // The last-used time is written in the background of the request that used the key.
        await Wait.UntilAsync(async () =>
        {
            rows = await admin.ListAsync(ClusterNodes.Administrator(), Ct);
            return rows.Single(r => r.Id == key.Id).LastUsedAt is not null;
        }, what: "the last-used time");

        var used = rows.Single(r => r.Id == key.Id);
        Assert.Equal(7, used.Use.RequestsLastHour);
        Assert.Equal(7 / 60.0, used.Use.PerMinute, 6);
        Assert.InRange(used.LastUsedAt!.Value, before, DateTime.UtcNow.AddSeconds(1));
        var unused = rows.Single(r => r.Id == idle.Id);
        Assert.Equal((0L, (DateTime?)null), (unused.Use.RequestsLastHour, unused.LastUsedAt));
    }

    [Fact]
    public async Task FlushAsync_WriteFails_KeepsTheCountsForTheNextFlush()
    {
        var database = await pg.CreateDatabaseAsync();
        // Only the test flushes.
        await using var app = new CityOpsAppFactory(database, new Dictionary<string, string?> { ["ApiKeys:UsageFlushInterval"] = "01:00:00" });
        var meter = app.Services.GetRequiredService<ApiKeyUsageMeter>();
        var keyId = Guid.NewGuid();
        meter.Count(keyId);
        meter.Count(keyId);

        await ExecuteAsync(database, "ALTER TABLE api_key_usage RENAME TO api_key_usage_away");
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => meter.FlushAsync(Ct));
        await ExecuteAsync(database, "ALTER TABLE api_key_usage_away RENAME TO api_key_usage");
        meter.Count(keyId);
        await meter.FlushAsync(Ct);

        Assert.Equal(3L, (await meter.ReadAsync(Ct))[keyId].RequestsLastHour);
    }

    [Fact]
    public async Task AdminApi_CreateUseAndRevokeOverHttp_AnswersWithProblemsForBadInput()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        await AccountClient.CreateUserAsync(app.Services, "chief@cityops.local", "Chief-password-42", Web.Features.Accounts.Roles.Administrator);
        var client = app.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "chief@cityops.local", "Chief-password-42");

        var created = await client.PostAsJsonAsync("/api/v1/admin/keys", new { label = "api gateway", scopes = new[] { "ingest" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await IngestTestHost.ReadJsonAsync(created);
        var secret = body.GetProperty("secret").GetString()!;
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Accepted, (await Ingest(Gateway(app, secret))).StatusCode);

        var list = await client.GetStringAsync("/api/v1/admin/keys", Ct);
        Assert.Contains("api gateway", list);
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain("secretHash", list, StringComparison.OrdinalIgnoreCase);

        var noLabel = await client.PutAsJsonAsync($"/api/v1/admin/keys/{id}", new { label = " ", scopes = new[] { "ingest" } }, Ct);
        var badScope = await client.PostAsJsonAsync("/api/v1/admin/keys", new { label = "x", scopes = new[] { "write" } }, Ct);
        var pastExpiry = await client.PostAsJsonAsync("/api/v1/admin/keys", new { label = "x", scopes = new[] { "read" }, expiresAt = DateTime.UtcNow.AddDays(-1) }, Ct);
        var unknown = await client.PostAsync($"/api/v1/admin/keys/{Guid.NewGuid()}/revoke", null, Ct);
        var revoked = await client.PostAsync($"/api/v1/admin/keys/{id}/revoke", null, Ct);
        var again = await client.PostAsync($"/api/v1/admin/keys/{id}/revoke", null, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, noLabel.StatusCode);
        Assert.Contains("label", await noLabel.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.BadRequest, badScope.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, pastExpiry.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Ingest(Gateway(app, secret))).StatusCode);
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static HttpClient Gateway(CityOpsAppFactory node, string secret)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, secret);
        return client;
    }

    private static Task<HttpResponseMessage> Ingest(HttpClient gateway) => gateway.PostAsync("/api/v1/readings", IngestTestHost.Json("[]"), Ct);

    /// <summary>Completes when <paramref name="node"/> has handled the change of <paramref name="keyId"/> (its cache handler was subscribed first).</summary>
    private static Task SignalSeen(CityOpsAppFactory node, Guid keyId)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        IDisposable? subscription = null;
        subscription = node.Services.GetRequiredService<ChangeSignals>().Subscribe(ChangeTopics.ApiKeys, (payload, _) =>
        {
            if (payload == keyId.ToString())
            {
                seen.TrySetResult();
                subscription?.Dispose();
            }
            return Task.CompletedTask;
        });
        return seen.Task;
    }
}
