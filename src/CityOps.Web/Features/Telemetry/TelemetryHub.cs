using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// Live aggregates for external consumers at <c>/hubs/telemetry</c>. Clients subscribe to sensors or whole
/// sites by key and receive <c>aggregates</c> batches (<see cref="SensorAggregate"/>[]) at most every
/// <see cref="TelemetryOptions.FlushInterval"/> while their sensors report. A thin adapter over <see cref="TelemetrySubscriptions"/>.
/// Clients that subscribe to alarms (of all sites or one) receive <c>alarms</c> batches (<see cref="AlarmView"/>[]) the
/// moment alarms are raised or change state; alarm subscriptions are SignalR groups, which the Redis backplane shares
/// when scaled out, because an alarm is published only by the node whose engine raised it.
/// </summary>
[Authorize(Policy = ApiPolicies.Read)]
public sealed class TelemetryHub(TelemetrySubscriptions subscriptions, ISiteDirectory sites) : Hub
{
    public const string Path = "/hubs/telemetry";

    /// <summary>The client method that receives batches.</summary>
    public const string AggregatesMethod = "aggregates";

    public void SubscribeSensors(string[] sensorKeys) => subscriptions.SubscribeSensors(Context.ConnectionId, sensorKeys);

    public void UnsubscribeSensors(string[] sensorKeys) => subscriptions.UnsubscribeSensors(Context.ConnectionId, sensorKeys);

    public Task SubscribeSite(string siteKey) => subscriptions.SubscribeSiteAsync(Context.ConnectionId, siteKey, Context.ConnectionAborted);

    public Task UnsubscribeSite(string siteKey) => subscriptions.UnsubscribeSiteAsync(Context.ConnectionId, siteKey, Context.ConnectionAborted);

    /// <summary>The client method that receives alarm changes.</summary>
    public const string AlarmsMethod = AlarmHubPublisher.Method;

    /// <summary>Subscribes to the alarms of one site, or of every site when <paramref name="siteKey"/> is null.</summary>
    public async Task SubscribeAlarms(string? siteKey) =>
        await Groups.AddToGroupAsync(Context.ConnectionId, await AlarmGroupAsync(siteKey), Context.ConnectionAborted);

    public async Task UnsubscribeAlarms(string? siteKey) =>
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, await AlarmGroupAsync(siteKey), Context.ConnectionAborted);

    public override Task OnConnectedAsync()
    {
        subscriptions.Register(Context.ConnectionId);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        // SignalR removes the connection from its alarm groups itself; only the sensor bookkeeping is left.
        subscriptions.Forget(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    private async Task<string> AlarmGroupAsync(string? siteKey)
    {
        if (siteKey is null)
        {
            return AlarmHubPublisher.AllSitesGroup;
        }
        var known = await sites.ListAsync(Context.ConnectionAborted);
        return known.Any(s => s.Key == siteKey)
            ? AlarmHubPublisher.SiteGroup(siteKey)
            : throw new HubException($"There is no site '{siteKey}'.");
    }
}
