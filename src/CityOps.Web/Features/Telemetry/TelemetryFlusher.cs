using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// The one sender of the hub: every <see cref="TelemetryOptions.FlushInterval"/> it takes the sensors that
/// received readings since the last flush from the <see cref="LiveStore"/> and sends each sensor's newest
/// 1-second window to the sensor's group and, batched per site, to the site's group. Readings never cause a
/// send themselves, so the ingest path does not wait on clients. A client subscribed to a sensor both directly
/// and through its site receives it in both batches.
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
        var sends = new List<Task>();
        Dictionary<int, List<SensorAggregate>>? bySite = null;
        foreach (var sensorId in changed)
        {
            if (!catalog.TryGet(sensorId, out SensorInfo info))
            {
                continue;
            }
            var direct = subscriptions.WantsSensor(sensorId);
            var viaSite = subscriptions.WantsSite(info.SiteId);
            if ((!direct && !viaSite) || !store.TryGetNewestWindow(sensorId, WindowSize.OneSecond, out var window))
            {
                continue;
            }
            var item = new SensorAggregate
            {
                Sensor = info.Key, WindowStart = window.Start, Count = window.Count, Min = window.Min, Max = window.Max,
                Mean = window.Mean, Last = window.Last, LastTs = window.LastTs,
            };
            if (direct)
            {
                sends.Add(hub.Clients.Group(TelemetrySubscriptions.SensorGroup(sensorId))
                    .SendAsync(TelemetryHub.AggregatesMethod, new[] { item }, cancellationToken));
            }
            if (viaSite)
            {
                bySite ??= [];
                if (!bySite.TryGetValue(info.SiteId, out var items))
                {
                    bySite[info.SiteId] = items = [];
                }
                items.Add(item);
            }
        }
        foreach (var (siteId, items) in bySite ?? [])
        {
            sends.Add(hub.Clients.Group(TelemetrySubscriptions.SiteGroup(siteId))
                .SendAsync(TelemetryHub.AggregatesMethod, items.ToArray(), cancellationToken));
        }
        return Task.WhenAll(sends);
    }
}
