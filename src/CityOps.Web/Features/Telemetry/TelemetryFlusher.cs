using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
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
        var items = new List<(SensorInfo Sensor, SensorAggregate Item)>(changed.Count);
        foreach (var sensorId in changed)
        {
            if (catalog.TryGet(sensorId, out SensorInfo info) && store.TryGetNewestWindow(sensorId, WindowSize.OneSecond, out var window))
            {
                items.Add((info, new SensorAggregate
                {
                    Sensor = info.Key, WindowStart = window.Start, Count = window.Count, Min = window.Min, Max = window.Max,
                    Mean = window.Mean, Last = window.Last, LastTs = window.LastTs,
                }));
            }
        }
        return subscriptions.ScaledOut ? SendToGroupsAsync(items, cancellationToken) : SendToConnectionsAsync(items, cancellationToken);
    }

    /// <summary>One batch per connection of this instance with what it subscribed to, each sensor once.</summary>
    private Task SendToConnectionsAsync(List<(SensorInfo Sensor, SensorAggregate Item)> items, CancellationToken cancellationToken)
    {
        var batches = new Dictionary<string, List<SensorAggregate>>();
        foreach (var (sensor, item) in items)
        {
            var direct = subscriptions.SensorSubscribers(sensor.Id);
            foreach (var connectionId in direct)
            {
                Batch(batches, connectionId).Add(item);
            }
            foreach (var connectionId in subscriptions.SiteSubscribers(sensor.SiteId))
            {
                if (!direct.Contains(connectionId))
                {
                    Batch(batches, connectionId).Add(item);
                }
            }
        }
        return Task.WhenAll(batches.Select(b => hub.Clients.Client(b.Key).SendAsync(TelemetryHub.AggregatesMethod, b.Value.ToArray(), cancellationToken)));
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
