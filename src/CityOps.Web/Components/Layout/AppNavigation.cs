using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;

namespace CityOps.Web.Components.Layout;

/// <summary>An entry of the navigation drawer, shown only to users the policy admits; <paramref name="Badge"/> is a component shown after the title.</summary>
public sealed record NavEntry(string Title, string Href, string Icon, string Policy, NavLinkMatch Match = NavLinkMatch.Prefix, Type? Badge = null);

/// <summary>
/// The screens in the drawer, in order. Each new screen adds its entry here with the same policy its
/// page's <c>[Authorize]</c> names (Control room, Alarms: AnyRole; KPI: Manager; Admin: Administrator).
/// </summary>
public static class AppNavigation
{
    public static IReadOnlyList<NavEntry> Entries { get; } =
    [
        new("Sites", "/", Icons.Material.Outlined.Dashboard, Policies.AnyRole, NavLinkMatch.All),
        new("Control room", "/control-room", Icons.Material.Outlined.Map, Policies.AnyRole),
        new("Alarms", "/alarms", Icons.Material.Outlined.NotificationsActive, Policies.AnyRole, Badge: typeof(AlarmNavBadge)),
        new("KPI · Plant", "/kpi/plant", Icons.Material.Outlined.Factory, Policies.Manager),
        new("KPI · City", "/kpi/city", Icons.Material.Outlined.LocationCity, Policies.Manager),
        new("KPI · Alarm system", "/kpi/alarms", Icons.Material.Outlined.Assessment, Policies.Manager),
        new("Administration", "/admin", Icons.Material.Outlined.AdminPanelSettings, Policies.Administrator),
    ];
}
