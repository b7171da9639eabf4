namespace CityOps.Web.Features.ApiKeys;

public static class ApiKeysExtensions
{
    public static void AddApiKeys(this WebApplicationBuilder builder)
    {
    }

}
