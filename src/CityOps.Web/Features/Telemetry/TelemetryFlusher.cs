using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// The one sender of the hub: every <see cref="TelemetryOptions.FlushInterval"/> it takes the sensors that
/// received readings since the last flush from the <see cref="LiveStore"/> and sends each sensor's newest
/// 1-second window to the connections that subscribed to it or its site: one batch per connection on a single
/// instance, through the shared groups when scaled out. Readings never cause a send themselves, so the ingest
/// path does not wait on clients.
/// </summary>
internal sealed class TelemetryFlusher(
    LiveStore store,
    SensorCatalog catalog,
    TelemetrySubscriptions subscriptions,
    IHubContext<TelemetryHub> hub,
    IOptions<TelemetryOptions> options,
    TimeProvider time,
    ILogger<TelemetryFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan SlowFlush = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval, time);
        var changed = new List<int>();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            changed.Clear();
            // Taken even when nobody listens, so a new subscriber does not receive a backlog of old changes.
            store.TakeChangedSensors(changed);
            if (changed.Count == 0 || subscriptions.IsIdle)
            {
                continue;
            }
            var started = time.GetTimestamp();
            try
            {
                await FlushAsync(changed, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Sending aggregates of {Count} sensors to hub clients failed", changed.Count);
            }
            var took = time.GetElapsedTime(started);
            if (took > SlowFlush)
            {
                logger.LogWarning("Sending aggregates of {Count} sensors took {Elapsed}; slow hub clients hold up everyone's updates", changed.Count, took);
            }
        }
    }

    private Task FlushAsync(List<int> changed, CancellationToken cancellationToken)
    {
        var scaledOut = subscriptions.ScaledOut;
        var items = new List<(SensorInfo Sensor, SensorAggregate Item)>(changed.Count);
        foreach (var sensorId in changed)
        {
            // On a single instance only the local subscribers count: an aggregate nobody here wants is not built.
            if (catalog.TryGet(sensorId, out SensorInfo info)
                && (scaledOut || subscriptions.SensorSubscribers(sensorId).Length > 0 || subscriptions.SiteSubscribers(info.SiteId).Length > 0)
                && store.TryGetNewestWindow(sensorId, WindowSize.OneSecond, out var window))
            {
                items.Add((info, new SensorAggregate
                {
                    Sensor = info.Key, WindowStart = window.Start, Count = window.Count, Min = window.Min, Max = window.Max,
                    Mean = window.Mean, Last = window.Last, LastTs = window.LastTs,
                }));
            }
        }
        return scaledOut ? SendToGroupsAsync(items, cancellationToken) : SendToConnectionsAsync(items, cancellationToken);
    }

    /// <summary>
    /// One batch per connection of this instance with what it subscribed to, each sensor once. Connections whose
    /// batches are equal (the same subscriptions: the screens of one video wall) share one message, which SignalR
    /// serialises once for all of them. Serialising happens inside the send calls, on the caller's thread, so the
    /// messages are sent from one worker per core: the last connection's batch is not held up by all the others'.
    /// </summary>
    private Task SendToConnectionsAsync(List<(SensorInfo Sensor, SensorAggregate Item)> items, CancellationToken cancellationToken)
    {
        var batches = new Dictionary<string, List<SensorAggregate>>(StringComparer.Ordinal);
        foreach (var (sensor, item) in items)
        {
            var direct = subscriptions.SensorSubscribers(sensor.Id);
            foreach (var connectionId in direct)
            {
                Batch(batches, connectionId).Add(item);
            }
            var viaSite = subscriptions.SiteSubscribers(sensor.SiteId);
            foreach (var connectionId in viaSite)
            {
                if (direct.Length == 0 || Array.IndexOf(direct, connectionId) < 0)
                {
                    Batch(batches, connectionId).Add(item);
                }
            }
        }
        var messages = SharedMessages(batches);
        if (messages.Count == 0)
        {
            return Task.CompletedTask;
        }
        var workers = Math.Min(Environment.ProcessorCount, messages.Count);
        if (workers == 1)
        {
            return SendAsync(messages, 0, 1, cancellationToken);
        }
        var sends = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var first = w;
            sends[w] = Task.Run(() => SendAsync(messages, first, workers, cancellationToken), cancellationToken);
        }
        return Task.WhenAll(sends);
    }

    /// <summary>Sends every <paramref name="stride"/>-th message from <paramref name="first"/> on.</summary>
    private Task SendAsync(List<(SensorAggregate[] Items, List<string> Connections)> messages, int first, int stride, CancellationToken cancellationToken)
    {
        var sends = new List<Task>((messages.Count + stride - 1) / stride);
        for (var i = first; i < messages.Count; i += stride)
        {
            var (batch, connections) = messages[i];
            var clients = connections.Count == 1 ? hub.Clients.Client(connections[0]) : hub.Clients.Clients(connections);
            sends.Add(clients.SendAsync(TelemetryHub.AggregatesMethod, batch, cancellationToken));
        }
        return Task.WhenAll(sends);
    }

    /// <summary>
    /// The batches, each with the connections it goes to. Two connections' batches are equal exactly when they hold
    /// the same aggregate objects in the same order (every batch is filled in the order of <c>items</c>).
    /// </summary>
    private static List<(SensorAggregate[] Items, List<string> Connections)> SharedMessages(Dictionary<string, List<SensorAggregate>> batches)
    {
        var messages = new List<(SensorAggregate[] Items, List<string> Connections)>(batches.Count);
        var byContent = new Dictionary<BatchContent, int>(batches.Count);
        foreach (var (connectionId, batch) in batches)
        {
            var content = new BatchContent(batch);
            if (byContent.TryGetValue(content, out var index))
            {
                messages[index].Connections.Add(connectionId);
            }
            else
            {
                byContent.Add(content, messages.Count);
                messages.Add((batch.ToArray(), [connectionId]));
            }
        }
        return messages;
    }

    /// <summary>A batch compared by the identity of its items, in order.</summary>
    private readonly struct BatchContent(List<SensorAggregate> items) : IEquatable<BatchContent>
    {
        private readonly int _hash = Hash(items);

        public List<SensorAggregate> Items { get; } = items;

        public bool Equals(BatchContent other)
        {
            if (_hash != other._hash || Items.Count != other.Items.Count)
            {
                return false;
            }
            for (var i = 0; i < Items.Count; i++)
            {
                if (!ReferenceEquals(Items[i], other.Items[i]))
                {
                    return false;
                }
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is BatchContent other && Equals(other);

        public override int GetHashCode() => _hash;

        private static int Hash(List<SensorAggregate> items)
        {
            var hash = new HashCode();
            foreach (var item in items)
            {
                hash.Add(RuntimeHelpers.GetHashCode(item));
            }
            return hash.ToHashCode();
        }
    }

    /// <summary>
    /// Scaled out, clients on other instances may want any sensor and only the shared groups know them: one message
    /// per changed sensor to its group and one batch per site to the site's group.
    /// </summary>
    private Task SendToGroupsAsync(List<(SensorInfo Sensor, SensorAggregate Item)> items, CancellationToken cancellationToken)
    {
        var sends = new List<Task>(items.Count);
        var bySite = new Dictionary<string, List<SensorAggregate>>();
        foreach (var (sensor, item) in items)
        {
            sends.Add(hub.Clients.Group(TelemetrySubscriptions.SensorGroup(sensor.Id)).SendAsync(TelemetryHub.AggregatesMethod, new[] { item }, cancellationToken));
            Batch(bySite, TelemetrySubscriptions.SiteGroup(sensor.SiteId)).Add(item);
        }
        sends.AddRange(bySite.Select(b => hub.Clients.Group(b.Key).SendAsync(TelemetryHub.AggregatesMethod, b.Value.ToArray(), cancellationToken)));
        return Task.WhenAll(sends);
    }

    private static List<SensorAggregate> Batch(Dictionary<string, List<SensorAggregate>> batches, string key)
    {
        if (!batches.TryGetValue(key, out var batch))
        {
            batches[key] = batch = [];
        }
        return batch;
    }
}
