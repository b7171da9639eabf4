using System.Diagnostics;
using System.Globalization;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

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

/// <summary>The hub protocol the benchmark's clients speak.</summary>
internal enum HubProtocol { Json, MessagePack }

/// <summary>
/// The live benchmark's hub clients, run in a child process of their own as real consumers (a video wall, another
/// dashboard) would be: their receive loops, deserialisation and garbage do not run in the server's process, so the
/// server's CPU per reading is the server's. The process lives for the whole benchmark, as a consumer does: a fresh
/// process per phase spent more CPU compiling its receive path (tiered JIT) during the phase than receiving, on the
/// two cores the server runs on. Each phase connects <c>clients</c> connections (<see cref="ConnectAsync"/>); client
/// <c>c</c> subscribes to sensors <c>c·n … c·n+n−1</c> (modulo the fleet); <see cref="CollectAsync"/> closes them
/// and returns what they received.
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

    /// <summary>The client process's garbage collections and pause time in the last phase, as it reported them.</summary>
    public string Gc { get; private set; } = "";

    public static async Task<HubClientFleet> StartAsync(string baseUrl, string apiKey, string keysFile, int capacity, HubProtocol protocol)
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
            Command, "--url", baseUrl, "--key", apiKey, "--keys", keysFile, "--capacity", capacity.ToString(CultureInfo.InvariantCulture),
            "--out", receipts, "--protocol", protocol.ToString(),
        })
        {
            start.ArgumentList.Add(arg);
        }
        var fleet = new HubClientFleet(Process.Start(start)!, receipts);
        await fleet.ExpectAsync("started");
        return fleet;
    }

    /// <summary>Connects <paramref name="clients"/> connections, each subscribed to <paramref name="sensorsPerClient"/> sensors, with an empty receipt log.</summary>
    public async Task ConnectAsync(int clients, int sensorsPerClient)
    {
        await SendAsync(string.Create(CultureInfo.InvariantCulture, $"connect {clients} {sensorsPerClient}"));
        await ExpectAsync("ready");
    }

    /// <summary>Closes the phase's connections and returns what they received.</summary>
    public async Task<ReceiptLog> CollectAsync()
    {
        await SendAsync("collect");
        Gc = (await ExpectAsync("done"))["done".Length..].Trim();
        var log = ReceiptLog.ReadFrom(_receipts);
        File.Delete(_receipts);
        return log;
    }

    private async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    private async Task<string> ExpectAsync(string word)
    {
        var line = await _process.StandardOutput.ReadLineAsync();
        if (line is null || !line.StartsWith(word, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The hub client process failed: {line}");
        }
        return line;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await SendAsync("exit");
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
    }

    /// <summary>
    /// The child process: says "started", then per phase "connect N n" (connects, subscribes, says "ready") and
    /// "collect" (closes the connections, writes their receipts, says "done" with its collections in the phase),
    /// until "exit".
    /// </summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        string Arg(string name) => args[Array.IndexOf(args, name) + 1];
        var keys = await File.ReadAllLinesAsync(Arg("--keys"));
        var index = new Dictionary<string, int>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            index[keys[i]] = i;
        }
        var capacity = int.Parse(Arg("--capacity"), CultureInfo.InvariantCulture);
        var protocol = Enum.Parse<HubProtocol>(Arg("--protocol"));
        var connections = new List<HubConnection>();
        ReceiptLog? log = null;
        var gcBefore = (Gen0: 0, Gen1: 0, Gen2: 0, Pause: TimeSpan.Zero);
        Console.WriteLine("started");
        while (await Console.In.ReadLineAsync() is { } line && line != "exit")
        {
            var words = line.Split(' ');
            if (words[0] == "connect")
            {
                var clients = int.Parse(words[1], CultureInfo.InvariantCulture);
                var perClient = int.Parse(words[2], CultureInfo.InvariantCulture);
                var phaseLog = log = new ReceiptLog(keys.Length, capacity);
                for (var c = 0; c < clients; c++)
                {
                    var builder = new HubConnectionBuilder()
                        .WithUrl(Arg("--url") + TelemetryHub.Path, o => o.Headers["X-Api-Key"] = Arg("--key"));
                    if (protocol == HubProtocol.MessagePack)
                    {
                        builder.AddMessagePackProtocol();
                    }
                    var connection = builder.Build();
                    connection.On<SensorAggregate[]>(TelemetryHub.AggregatesMethod, batch =>
                    {
                        var now = Stopwatch.GetTimestamp();
                        foreach (var a in batch)
                        {
                            if (index.TryGetValue(a.Sensor, out var sensor))
                            {
                                phaseLog.Add(sensor, a.LastTs.Ticks, now);
                            }
                        }
                    });
                    await connection.StartAsync();
                    var mine = Enumerable.Range(c * perClient, perClient).Select(i => keys[i % keys.Length]).ToArray();
                    await connection.InvokeAsync("SubscribeSensors", mine);
                    connections.Add(connection);
                }
                gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
                Console.WriteLine("ready");
            }
            else if (words[0] == "collect")
            {
                var gc = $"client GCs gen0/1/2 {GC.CollectionCount(0) - gcBefore.Gen0}/{GC.CollectionCount(1) - gcBefore.Gen1}/" +
                    $"{GC.CollectionCount(2) - gcBefore.Gen2}, paused {(GC.GetTotalPauseDuration() - gcBefore.Pause).TotalMilliseconds:F0} ms";
                foreach (var connection in connections)
                {
                    await connection.DisposeAsync();
                }
                connections.Clear();
                (log ?? new ReceiptLog(keys.Length, capacity)).WriteTo(Arg("--out"));
                log = null;
                Console.WriteLine($"done {gc}");
            }
        }
        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }
        return 0;
    }
}
