using CityOps.Web.Features.ApiKeys;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CityOps.Web.Features.Telemetry;

/// <summary>
/// Live aggregates for external consumers at <c>/hubs/telemetry</c>. Clients subscribe to sensors or whole
/// sites by key and receive <c>aggregates</c> batches (<see cref="SensorAggregate"/>[]) at most every
/// <see cref="TelemetryOptions.FlushInterval"/> while their sensors report. A thin adapter over <see cref="TelemetrySubscriptions"/>.
/// </summary>
[Authorize(Policy = ApiPolicies.Read)]
public sealed class TelemetryHub(TelemetrySubscriptions subscriptions) : Hub
{
    public const string Path = "/hubs/telemetry";

    /// <summary>The client method that receives batches.</summary>
    public const string AggregatesMethod = "aggregates";

    public Task SubscribeSensors(string[] sensorKeys) => subscriptions.SubscribeSensorsAsync(Context.ConnectionId, sensorKeys, Context.ConnectionAborted);

    public Task UnsubscribeSensors(string[] sensorKeys) => subscriptions.UnsubscribeSensorsAsync(Context.ConnectionId, sensorKeys, Context.ConnectionAborted);

    public Task SubscribeSite(string siteKey) => subscriptions.SubscribeSiteAsync(Context.ConnectionId, siteKey, Context.ConnectionAborted);

    public Task UnsubscribeSite(string siteKey) => subscriptions.UnsubscribeSiteAsync(Context.ConnectionId, siteKey, Context.ConnectionAborted);

    public override Task OnConnectedAsync()
    {
        subscriptions.Register(Context.ConnectionId);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        // SignalR removes the connection from its groups itself; only the local bookkeeping is left.
        subscriptions.Forget(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
