namespace CityOps.Web.Features.Administration.Audit;

/// <summary>Registers the audit part of the administration area.</summary>
public static class AuditAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
    }
}
