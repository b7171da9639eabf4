namespace CityOps.Web.Features.Administration.Settings;

/// <summary>Registers the settings part of the administration area.</summary>
public static class SettingsAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
    }
}
