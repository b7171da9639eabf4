using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>
/// A private redis-server for one test class: a free loopback port, a temporary directory, no persistence.
/// Uses the system's /usr/bin/redis-server (override with CITYOPS_REDIS_SERVER); test.sh installs it.
/// </summary>
public sealed class LocalRedis : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private LocalRedis(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What CityOps takes as <c>ConnectionStrings:Redis</c>.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public static async Task<LocalRedis> StartAsync()
    {
        var executable = Environment.GetEnvironmentVariable("CITYOPS_REDIS_SERVER") is { Length: > 0 } configured ? configured : "/usr/bin/redis-server";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"redis-server was not found at {executable}: install it with 'apt-get install redis-server'.");
        }
        var directory = Path.Combine(Path.GetTempPath(), $"cityops-redis-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var port = KestrelApp.FreePort();
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--port", $"{port}", "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "no",
            "--logfile", Path.Combine(directory, "redis.log"), "--daemonize", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        var redis = new LocalRedis(process, directory, port);
        try
        {
            await Wait.UntilAsync(redis.AnswersPingAsync, TimeSpan.FromSeconds(30), $"redis-server on port {port} (log: {directory}/redis.log)");
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
        return redis;
    }

    private async Task<bool> AnswersPingAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}: {await File.ReadAllTextAsync(Path.Combine(_directory, "redis.log"))}");
        }
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
