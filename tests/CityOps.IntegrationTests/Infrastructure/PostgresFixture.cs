using CityOps.Web.Data;
using Npgsql;

[assembly: AssemblyFixture(typeof(CityOps.IntegrationTests.Infrastructure.PostgresFixture))]

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>
/// One private PostgreSQL cluster for the whole test assembly, in a temporary directory removed at the
/// end. Each test class that needs isolation gets a database of its own from <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"cityops-it-{Guid.NewGuid():N}");

    public LocalPostgres Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            // The server runs as 'postgres' and must be able to reach its directory.
            File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        // Many test applications (each with its pools, engine and workers) share this one server at the same time.
        Cluster = await LocalPostgres.StartAsync(Path.Combine(_root, "pg"), maxConnections: 1000);
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= $"t_{Guid.NewGuid():N}";
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Cluster.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Cluster.ConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await Cluster.StopAsync();
        }
        finally
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
