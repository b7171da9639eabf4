namespace CityOps.Web.Features.Administration.Rules;

/// <summary>Registers the rules part of the administration area.</summary>
public static class RulesAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IRuleAdministration, RuleAdministration>();
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
    }
}
