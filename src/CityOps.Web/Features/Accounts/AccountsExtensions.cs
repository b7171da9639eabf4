using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using CityOps.Web.Data;

namespace CityOps.Web.Features.Accounts;

public static class AccountsExtensions
{
    public static void AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services.AddIdentity<CityOpsUser, IdentityRole>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<CityOpsDbContext>()
            .AddDefaultTokenProviders();
        // Deployments may tighten these (Identity:Lockout:MaxFailedAccessAttempts, Identity:Password:RequiredLength …).
        builder.Services.Configure<IdentityOptions>(builder.Configuration.GetSection("Identity"));

        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "CityOps.Auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.LoginPath = AccountEndpoints.LoginPath;
            o.LogoutPath = AccountEndpoints.LogoutPath;
            o.AccessDeniedPath = AccountEndpoints.AccessDeniedPath;
            o.ReturnUrlParameter = "ReturnUrl";
            // A shift, renewed while the user is active.
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            o.Events.OnRedirectToLogin = context => RedirectOrStatus(context.HttpContext, context.RedirectUri, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context.HttpContext, context.RedirectUri, StatusCodes.Status403Forbidden);
            o.Events.OnValidatePrincipal = UserChanges.ValidatePrincipalAsync;
        });

        // Sign-in cookies and antiforgery tokens are encrypted with these keys. Instances that share a
        // DataProtection:KeysDirectory (a volume) accept each other's cookies and survive restarts.
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("CityOps");
        if (builder.Configuration["DataProtection:KeysDirectory"] is { Length: > 0 } keys)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(Path.GetFullPath(keys, builder.Environment.ContentRootPath)));
        }

        builder.Services.AddAuthorization(Policies.Add);
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddSingleton<UserChanges>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<UserChanges>());
        builder.Services.AddScoped<AuthenticationStateProvider, CircuitRevalidation>();
        builder.Services.AddScoped<IDatabaseSeeder, AccountsSeeder>();
    }

    public static void MapAccounts(this WebApplication app) => AccountEndpoints.Map(app);

    /// <summary>Programs calling the API or a hub get a status code; browsers asking for a page get the login page.</summary>
    private static Task RedirectOrStatus(HttpContext context, string redirectUri, int status)
    {
        if (IsMachineRequest(context.Request))
        {
            context.Response.StatusCode = status;
        }
        else
        {
            context.Response.Redirect(redirectUri);
        }
        return Task.CompletedTask;
    }

    internal static bool IsMachineRequest(HttpRequest request) => IsMachinePath(request.Path);

    internal static bool IsMachinePath(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs");
}
