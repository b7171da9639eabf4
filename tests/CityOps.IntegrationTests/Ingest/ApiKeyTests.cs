using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.ApiKeys;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Ingest;

public sealed class ApiKeyTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DemoMode_ConfiguredDemoKey_SeededOnceWithIngestAndReadScopes()
    {
        var database = await pg.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["CityOps:DemoMode"] = "true", ["CITYOPS_DEMO_API_KEY"] = "my-gateway-key-123" };
        await using (var first = new CityOpsAppFactory(database, settings))
        {
            _ = first.Services;
        }
        await using var app = new CityOpsAppFactory(database, settings);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "my-gateway-key-123");

        var read = await client.GetAsync("/api/v1/sensors", Ct);
        var ingest = await client.PostAsync("/api/v1/readings", IngestTestHost.Json("[]"), Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
        Assert.Equal(1L, await IngestTestHost.QueryScalarAsync<long>(database, "SELECT count(*) FROM api_keys WHERE label = 'Demo gateway'"));
    }

    [Fact]
    public async Task CreateAsync_NewKey_SecretHasDocumentedShapeAndOnlyItsHashIsStored()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);

        var created = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync("gateway", ApiKeyScopes.Read, cancellationToken: Ct);

        Assert.Matches("^co_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$", created.Secret);
        Assert.Equal(1L, await IngestTestHost.QueryScalarAsync<long>(database,
            $"SELECT count(*) FROM api_keys WHERE prefix = '{created.Secret[3..11]}' AND length(secret_hash) = 32"));
        var identity = await app.Services.GetRequiredService<ApiKeyService>().VerifyAsync(created.Secret, Ct);
        Assert.Equal(created.Id, identity?.Id);
    }
}
