using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Cluster;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace CityOps.Web.Features.Telemetry;

public static class TelemetryExtensions
{
    public static void AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<TelemetryOptions>()
            .Bind(builder.Configuration.GetSection(TelemetryOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSignalR().AddMessagePackProtocol();

        if (ClusterRedis.Configuration(builder.Configuration) is { } redis)
        {
            // What AddStackExchangeRedis does, for this hub only: Blazor circuits are sticky and need no backplane,
            // and with one they could not connect while Redis is down. Aggregates need no backplane either (every
            // node's live store follows the others, see LiveRelay); alarms do, as only the raising node publishes them.
            builder.Services.Configure<RedisOptions>(o =>
            {
                o.Configuration = redis;
                o.Configuration.ChannelPrefix = RedisChannel.Literal("cityops-telemetry");
            });
            builder.Services.AddSingleton<HubLifetimeManager<TelemetryHub>, RedisHubLifetimeManager<TelemetryHub>>();
        }
        builder.Services.AddSingleton<TelemetrySubscriptions>();
        builder.Services.AddHostedService<TelemetryFlusher>();
    }

    public static void MapTelemetryHub(this WebApplication app) =>
        app.MapHub<TelemetryHub>(TelemetryHub.Path).RequireAuthorization(ApiPolicies.Read);
}
