using System.Security.Claims;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Cluster;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Administration;

/// <summary>
/// Two CityOps nodes on one database, as when scaled out: each its own process state (caches, listeners), sharing
/// the database and sign-in keys. Each node's connections carry its name, so a test can cut one node's connections.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private readonly string _keysDirectory = Path.Combine(Path.GetTempPath(), $"cityops-keys-{Guid.NewGuid():N}");

    private ClusterNodes(string database)
    {
        Database = database;
        Directory.CreateDirectory(_keysDirectory);
        A = Node(database, "cityops-node-a");
        B = Node(database, "cityops-node-b");
    }

    public string Database { get; }

    public CityOpsAppFactory A { get; }

    public CityOpsAppFactory B { get; }

    /// <summary>Starts both nodes (A first: it migrates) and waits until both listen for changes.</summary>
    public static async Task<ClusterNodes> StartAsync(PostgresFixture pg)
    {
        var nodes = new ClusterNodes(await pg.CreateDatabaseAsync());
        _ = nodes.A.Services;
        _ = nodes.B.Services;
        var timeout = TimeSpan.FromSeconds(30);
        await nodes.A.Services.GetRequiredService<ChangeSignals>().Listening.WaitAsync(timeout, TestContext.Current.CancellationToken);
        await nodes.B.Services.GetRequiredService<ChangeSignals>().Listening.WaitAsync(timeout, TestContext.Current.CancellationToken);
        return nodes;
    }

    /// <summary>A signed-in administrator as a page's handler sees them (for calling the services directly).</summary>
    public static ClaimsPrincipal Administrator(string name = "chief@cityops.local", string id = "admin-id") =>
        Principal(name, id, Roles.Administrator);

    public static ClaimsPrincipal Principal(string name, string id, params string[] roles) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.NameIdentifier, id), .. roles.Select(r => new Claim(ClaimTypes.Role, r))],
            "Test"));

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        Directory.Delete(_keysDirectory, recursive: true);
    }

    private CityOpsAppFactory Node(string database, string name) => new(
        new Npgsql.NpgsqlConnectionStringBuilder(database) { ApplicationName = name }.ConnectionString,
        new Dictionary<string, string?>
        {
            ["DataProtection:KeysDirectory"] = _keysDirectory,
            // Long enough that only a change signal, never the cache's expiry, can explain a refusal in these tests.
            ["ApiKeys:CacheDuration"] = "01:00:00",
        });
}
