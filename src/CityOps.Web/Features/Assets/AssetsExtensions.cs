namespace CityOps.Web.Features.Assets;

public static class AssetsExtensions
{
    public static void AddAssets(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SensorCatalog>();
    }

    public static void MapAssetsApi(this WebApplication app)
    {
    }
}
