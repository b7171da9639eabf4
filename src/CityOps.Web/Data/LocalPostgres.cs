using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace CityOps.Web.Data;

/// <summary>The PostgreSQL server binaries are missing or a private cluster could not be started.</summary>
public sealed class LocalPostgresException(string message) : Exception(message);

/// <summary>
/// A private PostgreSQL cluster in a data directory of its own: the zero-config database of demo mode
/// and of the test suites. It listens on 127.0.0.1 only, keeps its socket inside the cluster directory,
/// protects the superuser with a generated password, and is reused when it is already running (a
/// process killed without shutdown leaves it up, and the next start attaches to it).
/// When the process runs as root the server runs as the <c>postgres</c> user, as PostgreSQL requires.
/// </summary>
public sealed class LocalPostgres
{
    public const string DatabaseName = "cityops";
    private readonly string _binDir;
    private readonly bool _asPostgresUser;
    private int _maxConnections = 200;

    private LocalPostgres(string dataDirectory, string binDir, int port, string password)
    {
        DataDirectory = dataDirectory;
        _binDir = binDir;
        Port = port;
        Password = password;
        _asPostgresUser = Environment.IsPrivilegedProcess;
    }

    public string DataDirectory { get; }
    public int Port { get; private set; }
    public string Password { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Password = Password,
        Database = DatabaseName,
    }.ConnectionString;

    /// <summary>Creates the cluster when the directory is empty, starts it unless it already runs, and ensures the database exists.</summary>
    /// <param name="maxConnections">The server's connection limit (one application needs a few dozen at most).</param>
    public static async Task<LocalPostgres> StartAsync(string dataDirectory, int? port = null, CancellationToken cancellationToken = default,
        int maxConnections = 200)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        var binDir = FindBinaries();
        var passwordFile = dataDirectory.TrimEnd('/') + ".password";
        Directory.CreateDirectory(Path.GetDirectoryName(passwordFile)!);
        if (!File.Exists(passwordFile))
        {
            await File.WriteAllTextAsync(passwordFile, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        var password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        var pg = new LocalPostgres(dataDirectory, binDir, port ?? 0, password) { _maxConnections = maxConnections };
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await pg.InitAsync(cancellationToken);
        }
        await pg.StartAsync(port, cancellationToken);
        await pg.EnsureDatabaseAsync(cancellationToken);
        return pg;
    }

    /// <summary>Starts a stopped cluster again on the same port.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => StartAsync(Port, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (await IsRunningAsync(cancellationToken))
        {
            await RunAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], cancellationToken);
        }
    }

    private async Task StartAsync(int? port, CancellationToken cancellationToken)
    {
        if (await IsRunningAsync(cancellationToken))
        {
            Port = ReadRunningPort();
            return;
        }
        Port = port is > 0 ? port.Value : FreePort();
        var log = Path.Combine(DataDirectory, "server.log");
        string[] options =
        [
            $"-p {Port}", "-c listen_addresses=127.0.0.1", $"-k {DataDirectory}",
            $"-c max_connections={_maxConnections}", "-c shared_buffers=256MB", "-c max_wal_size=4GB",
            "-c checkpoint_timeout=15min", "-c wal_compression=on", "-c max_locks_per_transaction=256",
        ];
        await RunAsync("pg_ctl", ["-D", DataDirectory, "-l", log, "-w", "-t", "60", "-o", string.Join(' ', options), "start"], cancellationToken);
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(DataDirectory);
        var pwFile = Path.Combine(Path.GetTempPath(), $"cityops-pw-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(pwFile, Password, cancellationToken);
        try
        {
            if (_asPostgresUser)
            {
                await RunRawAsync("chown", ["postgres:postgres", DataDirectory, pwFile], cancellationToken);
            }
            await RunAsync("initdb",
                ["-D", DataDirectory, "-U", "postgres", "--pwfile", pwFile, "--auth-host=scram-sha-256",
                 "--auth-local=peer", "-E", "UTF8", "--locale=C.UTF-8"], cancellationToken);
        }
        finally
        {
            File.Delete(pwFile);
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken cancellationToken)
    {
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", conn) { Parameters = { new() { Value = DatabaseName } } };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName}", conn);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return false;
        }
        var (code, _) = await RunCoreAsync(Wrap("pg_ctl", ["-D", DataDirectory, "status"]), cancellationToken);
        return code == 0;
    }

    private int ReadRunningPort()
    {
        // postmaster.pid: line 4 holds the port the running server listens on.
        var lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
        return int.Parse(lines[3].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("CITYOPS_PG_BIN");
        if (!string.IsNullOrEmpty(configured) && File.Exists(Path.Combine(configured, "initdb")))
        {
            return configured;
        }
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var found = Directory.GetDirectories(root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
            if (found is not null)
            {
                return found;
            }
        }
        throw new LocalPostgresException(
            "PostgreSQL server binaries were not found: install the 'postgresql' package (apt-get install postgresql), " +
            "set CITYOPS_PG_BIN to their folder, or configure ConnectionStrings__CityOps to use an existing server.");
    }

    private Task RunAsync(string tool, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunCheckedAsync(Wrap(tool, args), cancellationToken);

    private static Task RunRawAsync(string file, IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunCheckedAsync(new ProcessStartInfo(file, args), cancellationToken);

    private ProcessStartInfo Wrap(string tool, IReadOnlyList<string> args)
    {
        var exe = Path.Combine(_binDir, tool);
        var psi = _asPostgresUser
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", exe, .. args])
            : new ProcessStartInfo(exe, args);
        // The postgres user may not be allowed into the caller's working directory.
        psi.WorkingDirectory = "/";
        return psi;
    }

    private static async Task RunCheckedAsync(ProcessStartInfo psi, CancellationToken cancellationToken)
    {
        var (code, output) = await RunCoreAsync(psi, cancellationToken);
        if (code != 0)
        {
            throw new LocalPostgresException($"{Path.GetFileName(psi.FileName)} {string.Join(' ', psi.ArgumentList)} failed ({code}): {output.Trim()}");
        }
    }

    private static async Task<(int Code, string Output)> RunCoreAsync(ProcessStartInfo psi, CancellationToken cancellationToken)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi) ?? throw new LocalPostgresException($"could not start {psi.FileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        string output;
        try
        {
            // A started server must not keep the launcher's pipes open; if it did, the exit code still counts.
            output = string.Concat(await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken));
        }
        catch (TimeoutException)
        {
            output = "";
        }
        return (process.ExitCode, output);
    }
}
