using CityOps.Web.Data;
using Microsoft.AspNetCore.Identity;

namespace CityOps.Web.Features.Accounts;

/// <summary>
/// Creates the roles; in demo mode the three demo users; otherwise, when <c>Admin:Email</c> and
/// <c>Admin:Password</c> are configured and no administrator exists yet, the first administrator.
/// There is no default password outside demo mode.
/// </summary>
internal sealed class AccountsSeeder(IConfiguration configuration, ILogger<AccountsSeeder> logger) : IDatabaseSeeder
{
    /// <summary>Documented in the README; the <c>CITYOPS_DEMO_PASSWORD</c> environment variable replaces it.</summary>
    public const string DefaultDemoPassword = "CityOps-demo-1";

    public static readonly (string Email, string DisplayName, string[] Roles)[] DemoUsers =
    [
        ("operator@cityops.local", "Demo operator", [Roles.Operator]),
        ("manager@cityops.local", "Demo manager", [Roles.Manager]),
        // The administrator holds every role, so screens that name a single role still open for it.
        ("admin@cityops.local", "Demo administrator", [Roles.Operator, Roles.Manager, Roles.Administrator]),
    ];

    public int Order => 0;

    public static string DemoPassword(IConfiguration configuration) =>
        configuration["CITYOPS_DEMO_PASSWORD"] is { Length: > 0 } p ? p : DefaultDemoPassword;

    public async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var roles = services.GetRequiredService<RoleManager<IdentityRole>>();
        var users = services.GetRequiredService<UserManager<CityOpsUser>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");
            }
        }

        if (configuration.GetValue("CityOps:DemoMode", false))
        {
            var password = DemoPassword(configuration);
            foreach (var (email, name, userRoles) in DemoUsers)
            {
                await EnsureUserAsync(users, email, name, password, userRoles);
            }
        }

        var adminEmail = configuration["Admin:Email"];
        var adminPassword = configuration["Admin:Password"];
        if (!string.IsNullOrWhiteSpace(adminEmail) && !string.IsNullOrEmpty(adminPassword) &&
            (await users.GetUsersInRoleAsync(Roles.Administrator)).Count == 0)
        {
            await EnsureUserAsync(users, adminEmail.Trim(), configuration["Admin:DisplayName"] ?? "Administrator", adminPassword, Roles.All);
            logger.LogInformation("Created the first administrator {Email} from configuration", adminEmail);
        }
        else if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count == 0)
        {
            logger.LogWarning("No administrator exists: set Admin:Email and Admin:Password to create the first one");
        }
    }

    private async Task EnsureUserAsync(UserManager<CityOpsUser> users, string email, string displayName, string password, IEnumerable<string> roles)
    {
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new CityOpsUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = displayName };
            Check(await users.CreateAsync(user, password), $"create user {email}");
            logger.LogInformation("Created user {Email}", email);
        }
        foreach (var role in roles)
        {
            if (!await users.IsInRoleAsync(user, role))
            {
                Check(await users.AddToRoleAsync(user, role), $"give {email} the role {role}");
            }
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}
