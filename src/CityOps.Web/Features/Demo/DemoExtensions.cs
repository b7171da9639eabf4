namespace CityOps.Web.Features.Demo;

public static class DemoExtensions
{
    public static void AddDemo(this WebApplicationBuilder builder)
    {
    }

}
