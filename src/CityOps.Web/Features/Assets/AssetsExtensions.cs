using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityOps.Web.Features.Assets;

public static class AssetsExtensions
{
    public static void AddAssets(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SensorCatalog>();
        builder.Services.AddHostedService<SensorCatalogLoader>();
    }

    public static void MapAssetsApi(this WebApplication app)
    {
        app.MapSensorEndpoints();
    }
}
