namespace CityOps.Web.Features.Administration.Assets;

/// <summary>Registers the assets part of the administration area.</summary>
public static class AssetsAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
    }
}
