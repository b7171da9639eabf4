using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Cluster;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityOps.Web.Features.Live;

public static class LiveExtensions
{
    public static void AddLive(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<LiveOptions>()
            .Bind(builder.Configuration.GetSection(LiveOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ISensorLookup, SensorCatalogLookup>();
        builder.Services.AddSingleton<AssetTree>();
        builder.Services.TryAddSingleton<IAssetTree>(sp => sp.GetRequiredService<AssetTree>());
        builder.Services.AddSingleton<LiveStore>();
        builder.Services.TryAddSingleton<ISiteDirectory, SiteDirectory>();
        builder.Services.AddSingleton<IReadingsObserver>(sp => sp.GetRequiredService<LiveStore>());
        builder.Services.AddHostedService<LiveStartup>();
        if (ClusterRedis.Configuration(builder.Configuration) is { } redis)
        {
            builder.Services.AddSingleton(sp => new LiveRelay(sp.GetRequiredService<LiveStore>(), redis, sp.GetRequiredService<ILogger<LiveRelay>>()));
            builder.Services.AddSingleton<IReadingsObserver>(sp => sp.GetRequiredService<LiveRelay>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveRelay>());
        }
        // The home screen lists the registered world; registration belongs with the registry it fills.
        builder.Services.AddWorldRegistration();
    }
}
