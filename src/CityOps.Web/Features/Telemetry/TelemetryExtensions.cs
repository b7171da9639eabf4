using CityOps.Web.Features.ApiKeys;
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

        var redis = builder.Configuration.GetConnectionString("Redis") ?? builder.Configuration["Redis:Configuration"];
        var scaledOut = !string.IsNullOrWhiteSpace(redis);
        if (scaledOut)
        {
            // What AddStackExchangeRedis does, for this hub only: Blazor circuits are sticky and need no backplane,
            // and with one they could not connect while Redis is down.
            builder.Services.Configure<RedisOptions>(o =>
            {
                o.Configuration = ConfigurationOptions.Parse(redis!);
                o.Configuration.ChannelPrefix = RedisChannel.Literal("cityops-telemetry");
            });
            builder.Services.AddSingleton<HubLifetimeManager<TelemetryHub>, RedisHubLifetimeManager<TelemetryHub>>();
        }
        builder.Services.AddSingleton(new TelemetryScaleOut(scaledOut));
        builder.Services.AddSingleton<TelemetrySubscriptions>();
        builder.Services.AddHostedService<TelemetryFlusher>();
    }

    public static void MapTelemetryHub(this WebApplication app) =>
        app.MapHub<TelemetryHub>(TelemetryHub.Path).RequireAuthorization(ApiPolicies.Read);
}
