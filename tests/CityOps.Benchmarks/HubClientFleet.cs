using System.Diagnostics;
using System.Globalization;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR.Client;

namespace CityOps.Benchmarks;

/// <summary>
/// When each sensor's aggregates arrived: per sensor, the reading time (<c>lastTs</c>) and the
/// <see cref="Stopwatch"/> timestamp of receipt. Preallocated, so recording during a phase allocates nothing and the
/// bookkeeping neither grows tables nor feeds the garbage collector of the process it runs in. Stopwatch timestamps
/// come from the system's monotonic clock, so receipts recorded in one process compare with acknowledgements taken
/// in another on the same machine.
/// </summary>
internal sealed class ReceiptLog(int sensors, int capacity)
{
    private readonly long[] _readingTicks = new long[sensors * capacity];
    private readonly long[] _receivedAt = new long[sensors * capacity];
    private readonly int[] _counts = new int[sensors];
    private long _overflow;

    /// <summary>Receipts that did not fit (a sensor received more than its capacity).</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    public void Add(int sensor, long readingTicks, long receivedAt)
    {
        var slot = Interlocked.Increment(ref _counts[sensor]) - 1;
        if (slot >= capacity)
        {
            Interlocked.Increment(ref _overflow);
            return;
        }
        _readingTicks[sensor * capacity + slot] = readingTicks;
        Volatile.Write(ref _receivedAt[sensor * capacity + slot], receivedAt);
    }

    /// <summary>The first receipt of the sensor's aggregate whose last reading is at <paramref name="readingTicks"/>.</summary>
    public bool TryGetFirst(int sensor, long readingTicks, out long receivedAt)
    {
        var count = Math.Min(capacity, Volatile.Read(ref _counts[sensor]));
        receivedAt = long.MaxValue;
        for (var i = sensor * capacity; i < sensor * capacity + count; i++)
        {
            if (_readingTicks[i] == readingTicks && _receivedAt[i] < receivedAt)
            {
                receivedAt = _receivedAt[i];
            }
        }
        return receivedAt != long.MaxValue;
    }

    public void WriteTo(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(sensors);
        writer.Write(capacity);
        writer.Write(Overflow);
        for (var s = 0; s < sensors; s++)
        {
            var count = Math.Min(capacity, _counts[s]);
            writer.Write(count);
            for (var i = s * capacity; i < s * capacity + count; i++)
            {
                writer.Write(_readingTicks[i]);
                writer.Write(_receivedAt[i]);
            }
        }
    }

    public static ReceiptLog ReadFrom(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        var log = new ReceiptLog(reader.ReadInt32(), reader.ReadInt32());
        log._overflow = reader.ReadInt64();
        for (var s = 0; s < log._counts.Length; s++)
        {
            var count = reader.ReadInt32();
            log._counts[s] = count;
            for (var i = s * log.Capacity; i < s * log.Capacity + count; i++)
            {
                log._readingTicks[i] = reader.ReadInt64();
                log._receivedAt[i] = reader.ReadInt64();
            }
        }
        return log;
    }

    private int Capacity => capacity;
}

/// <summary>
/// The live benchmark's hub clients, run in a child process of their own as real consumers (a video wall, another
/// dashboard) would be: their receive loops, deserialisation and garbage do not run in the server's process, so the
/// server's CPU per reading is the server's. Client <c>c</c> subscribes to sensors <c>c·n … c·n+n−1</c> (modulo the
/// fleet). Started with <see cref="StartAsync"/>; <see cref="StopAsync"/> closes the connections and returns what
/// they received.
/// </summary>
internal sealed class HubClientFleet : IAsyncDisposable
{
    public const string Command = "live-clients";
    private readonly Process _process;
    private readonly string _receipts;

    private HubClientFleet(Process process, string receipts)
    {
        _process = process;
        _receipts = receipts;
    }

    /// <summary>CPU time the client process has used so far.</summary>
    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public static async Task<HubClientFleet> StartAsync(string baseUrl, string apiKey, string keysFile, int clients, int sensorsPerClient, int capacity)
    {
        var receipts = Path.Combine(Path.GetDirectoryName(keysFile)!, $"receipts-{Guid.NewGuid():N}.bin");
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            // A consumer process, not a server: the workstation collector, whose pauses are short and its own.
            Environment = { ["DOTNET_gcServer"] = "0" },
        };
        foreach (var arg in new[]
        {
            Command, "--url", baseUrl, "--key", apiKey, "--keys", keysFile, "--clients", clients.ToString(CultureInfo.InvariantCulture),
            "--per-client", sensorsPerClient.ToString(CultureInfo.InvariantCulture), "--capacity", capacity.ToString(CultureInfo.InvariantCulture),
            "--out", receipts,
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync();
        if (line != "ready")
        {
            process.Kill();
            throw new InvalidOperationException($"The hub client process did not start: {line}");
        }
        return new HubClientFleet(process, receipts);
    }

    /// <summary>The client process's garbage collections and pause time, as it reported them when it stopped.</summary>
    public string Gc { get; private set; } = "";

    public async Task<ReceiptLog> StopAsync()
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync();
        await _process.WaitForExitAsync();
        if (line is null || !line.StartsWith("done", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The hub client process failed: {line}");
        }
        Gc = line["done".Length..].Trim();
        var log = ReceiptLog.ReadFrom(_receipts);
        File.Delete(_receipts);
        return log;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The child process: connects, subscribes, says "ready", records receipts until "stop", writes them and says "done".</summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        int IntArg(string name) => int.Parse(Arg(name), CultureInfo.InvariantCulture);
        var keys = await File.ReadAllLinesAsync(Arg("--keys"));
        var index = new Dictionary<string, int>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            index[keys[i]] = i;
        }
        var clients = IntArg("--clients");
        var perClient = IntArg("--per-client");
        var log = new ReceiptLog(keys.Length, IntArg("--capacity"));
        var connections = new List<HubConnection>(clients);
        try
        {
            for (var c = 0; c < clients; c++)
            {
                var connection = new HubConnectionBuilder()
                    .WithUrl(Arg("--url") + TelemetryHub.Path, o => o.Headers["X-Api-Key"] = Arg("--key"))
                    .Build();
                connection.On<SensorAggregate[]>(TelemetryHub.AggregatesMethod, batch =>
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var a in batch)
                    {
                        if (index.TryGetValue(a.Sensor, out var sensor))
                        {
                            log.Add(sensor, a.LastTs.Ticks, now);
                        }
                    }
                });
                await connection.StartAsync();
                var mine = Enumerable.Range(c * perClient, perClient).Select(i => keys[i % keys.Length]).ToArray();
                await connection.InvokeAsync("SubscribeSensors", mine);
                connections.Add(connection);
            }
            Console.WriteLine("ready");
            while (await Console.In.ReadLineAsync() is { } line && line != "stop")
            {
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
        log.WriteTo(Arg("--out"));
        Console.WriteLine($"done client GCs gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, paused {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms");
        return 0;
    }
}
