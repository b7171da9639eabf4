using CityOps.Web.Data;
using Npgsql;

namespace CityOps.IntegrationTests.Ingest;

/// <summary>A PostgreSQL cluster of a test's own, for fault tests that stop and start the server.</summary>
internal sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string _root;

    private PrivateCluster(string root, LocalPostgres cluster)
    {
        _root = root;
        Cluster = cluster;
    }

    public LocalPostgres Cluster { get; }

    public string ConnectionString => Cluster.ConnectionString;

    public static async Task<PrivateCluster> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"cityops-fault-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        if (OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess)
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return new PrivateCluster(root, await LocalPostgres.StartAsync(Path.Combine(root, "pg")));
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
