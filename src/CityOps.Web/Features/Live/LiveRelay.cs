using System.Buffers.Binary;
using CityOps.Web.Features.Cluster;
using CityOps.Web.Features.Ingest;
using StackExchange.Redis;

namespace CityOps.Web.Features.Live;

/// <summary>
/// Scaled out, each node commits only the readings sent to it. This relay publishes every batch this node committed
/// on a Redis channel and feeds the batches of the other nodes into this node's <see cref="LiveStore"/>, so every
/// node's screens and hub clients see every reading, whichever node ingested it, with windows that hold all of a
/// sensor's readings. Only the live store follows other nodes: the alert engine evaluates what its node committed,
/// so an alarm is raised once. The publish never waits (fire and forget): ingest does not slow down for Redis, and
/// while Redis is unreachable other nodes miss this node's readings until it is back.
/// </summary>
internal sealed class LiveRelay(LiveStore store, ConfigurationOptions redis, ILogger<LiveRelay> logger) : BackgroundService, IReadingsObserver
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("cityops-live-readings");
    private const int HeaderBytes = 16;
    private const int ReadingBytes = 4 + 8 + 8;
    private readonly Guid _node = Guid.NewGuid();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ConnectionMultiplexer? _connection;
    private int _publishFailureLogged;

    /// <summary>Completes once this node follows the other nodes' readings.</summary>
    public Task Subscribed => _subscribed.Task;

    public void OnCommitted(IReadOnlyList<CommittedReading> readings)
    {
        if (readings.Count == 0 || Volatile.Read(ref _connection) is not { } connection)
        {
            return;
        }
        try
        {
            connection.GetSubscriber().Publish(Channel, Encode(readings, _node), CommandFlags.FireAndForget);
            Interlocked.Exchange(ref _publishFailureLogged, 0);
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            if (Interlocked.Exchange(ref _publishFailureLogged, 1) == 0)
            {
                logger.LogWarning(e, "Could not relay committed readings to the other nodes; their live screens miss them until Redis is back");
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        try
        {
            var queue = await connection.GetSubscriber().SubscribeAsync(Channel);
            Volatile.Write(ref _connection, connection);
            _subscribed.TrySetResult();
            // One reader in arrival order: a sensor's readings reach the store in the order its node committed them.
            await foreach (var message in queue.WithCancellation(stoppingToken))
            {
                Receive(message.Message);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Volatile.Write(ref _connection, null);
            await connection.DisposeAsync();
        }
    }

    private void Receive(RedisValue message)
    {
        try
        {
            if (Decode(message, _node) is { } readings)
            {
                store.OnCommitted(readings);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "A relayed batch of readings could not be applied to the live store");
        }
    }

    /// <summary>The sending node's id, then each reading in 20 bytes: compact, and no serializer on the ingest thread.</summary>
    internal static byte[] Encode(IReadOnlyList<CommittedReading> readings, Guid node)
    {
        var bytes = new byte[HeaderBytes + readings.Count * ReadingBytes];
        node.TryWriteBytes(bytes);
        var span = bytes.AsSpan(HeaderBytes);
        foreach (var r in readings)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span, r.SensorId);
            BinaryPrimitives.WriteInt64LittleEndian(span[4..], r.Timestamp.Ticks);
            BinaryPrimitives.WriteDoubleLittleEndian(span[12..], r.Value);
            span = span[ReadingBytes..];
        }
        return bytes;
    }

    /// <summary>The readings of another node's batch; null for this node's own batches and for anything malformed.</summary>
    internal static List<CommittedReading>? Decode(ReadOnlySpan<byte> bytes, Guid self)
    {
        if (bytes.Length < HeaderBytes || (bytes.Length - HeaderBytes) % ReadingBytes != 0 || new Guid(bytes[..HeaderBytes]) == self)
        {
            return null;
        }
        var span = bytes[HeaderBytes..];
        var readings = new List<CommittedReading>(span.Length / ReadingBytes);
        for (; !span.IsEmpty; span = span[ReadingBytes..])
        {
            readings.Add(new CommittedReading(
                BinaryPrimitives.ReadInt32LittleEndian(span),
                new DateTime(BinaryPrimitives.ReadInt64LittleEndian(span[4..]), DateTimeKind.Utc),
                BinaryPrimitives.ReadDoubleLittleEndian(span[12..])));
        }
        return readings;
    }

    private static List<CommittedReading>? Decode(RedisValue message, Guid self) => Decode(((byte[]?)message).AsSpan(), self);
}
