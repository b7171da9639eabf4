namespace CityOps.Web.Features.Health;

public static class HealthExtensions
{
    public static void AddHealth(this WebApplicationBuilder builder)
    {
    }

    public static void MapHealth(this WebApplication app)
    {
    }
}
