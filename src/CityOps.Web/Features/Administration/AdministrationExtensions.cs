using System.Security.Claims;
using CityOps.Web.Features.Accounts;

namespace CityOps.Web.Features.Administration;

/// <summary>
/// The administration area: pages under <c>/admin/</c> and their API under <c>/api/v1/admin/</c>, both for
/// Administrators only. Each part (rules, assets, keys, users, audit, settings) registers itself here.
/// </summary>
public static class AdministrationExtensions
{
    public const string ApiPrefix = "/api/v1/admin";

    public static void AddAdministration(this WebApplicationBuilder builder)
    {
        Rules.RulesAdministration.Add(builder);
        Assets.AssetsAdministration.Add(builder);
        Keys.KeysAdministration.Add(builder);
        Users.UsersAdministration.Add(builder);
        Audit.AuditAdministration.Add(builder);
        Settings.SettingsAdministration.Add(builder);
    }

    public static void MapAdministration(this WebApplication app)
    {
        var admin = app.MapGroup(ApiPrefix).RequireAuthorization(Policies.Administrator).WithTags("Administration");
        Rules.RulesAdministration.Map(admin);
        Assets.AssetsAdministration.Map(admin);
        Keys.KeysAdministration.Map(admin);
        Users.UsersAdministration.Map(admin);
        Audit.AuditAdministration.Map(admin);
        Settings.SettingsAdministration.Map(admin);
    }
}

/// <summary>
/// Every administrative operation checks its caller itself, so an operation is refused at the server whichever way
/// it is reached (API, a page's handler, a future caller), not only hidden in the UI.
/// </summary>
public static class AdminGuard
{
    /// <summary>The acting administrator's user name, for the audit log.</summary>
    /// <exception cref="UnauthorizedAccessException">The caller is not a signed-in Administrator.</exception>
    public static string Demand(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || !user.IsInRole(Roles.Administrator))
        {
            throw new UnauthorizedAccessException("Only administrators may change the configuration.");
        }
        return user.Identity.Name ?? throw new UnauthorizedAccessException("The administrator has no user name.");
    }
}
