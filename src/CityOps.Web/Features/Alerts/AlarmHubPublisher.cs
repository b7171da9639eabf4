using System.Threading.Channels;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// Pushes every change of an alarm to the telemetry hub's alarm subscribers at once (<c>alarms</c>, an
/// <see cref="AlarmView"/>[] per batch): clients of all sites get the whole batch, clients of one site its part.
/// The board hands batches over on the writer's thread; one sender sends them in order.
/// </summary>
internal sealed class AlarmHubPublisher(AlarmBoard board, IHubContext<TelemetryHub> hub, ILogger<AlarmHubPublisher> logger) : BackgroundService
{
    public const string Method = "alarms";

    // Bounded so a hub that cannot keep up costs memory only up to a point; dropped batches are logged.
    private readonly Channel<IReadOnlyList<AlarmView>> _batches = Channel.CreateBounded<IReadOnlyList<AlarmView>>(
        new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    public static string AllSitesGroup => "alarms:*";

    public static string SiteGroup(string siteKey) => $"alarms:site:{siteKey}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watch = board.Watch(batch =>
        {
            if (!_batches.Writer.TryWrite(batch))
            {
                logger.LogWarning("The alarm push to hub clients is behind; a batch of {Count} changes was not sent", batch.Count);
            }
        });
        await foreach (var batch in _batches.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await hub.Clients.Group(AllSitesGroup).SendAsync(Method, batch, stoppingToken);
                foreach (var site in batch.GroupBy(a => a.SiteKey))
                {
                    await hub.Clients.Group(SiteGroup(site.Key)).SendAsync(Method, site.ToArray(), stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Could not push {Count} alarm changes to hub clients", batch.Count);
            }
        }
    }
}
