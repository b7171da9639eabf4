namespace CityOps.Web.Features.Live;

public static class LiveExtensions
{
    public static void AddLive(this WebApplicationBuilder builder)
    {
    }

}
