using Microsoft.AspNetCore.Authorization;

namespace CityOps.Web.Features.Accounts;

/// <summary>
/// Authorization policies pages and endpoints name. Higher roles include the lower ones' rights, so a
/// page says what it needs, not who may see it.
/// </summary>
public static class Policies
{
    /// <summary>Any of the three roles: the screens every control-room user sees.</summary>
    public const string AnyRole = "AnyRole";

    /// <summary>Manager or Administrator: KPIs, reports, alert rules.</summary>
    public const string Manager = "Manager";

    /// <summary>Administrator only: users, API keys, the asset registry.</summary>
    public const string Administrator = "Administrator";

    internal static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(AnyRole, p => p.RequireRole(Roles.Operator, Roles.Manager, Roles.Administrator));
        options.AddPolicy(Manager, p => p.RequireRole(Roles.Manager, Roles.Administrator));
        options.AddPolicy(Administrator, p => p.RequireRole(Roles.Administrator));
    }
}
