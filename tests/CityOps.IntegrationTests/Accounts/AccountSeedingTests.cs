using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.IntegrationTests.Accounts;

public class AccountSeedingTests(PostgresFixture pg)
{
    [Fact]
    public async Task Start_OutsideDemoModeWithAdminConfigured_CreatesOnlyThatAdministrator()
    {
        var db = await pg.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["Admin:Email"] = "chief@example.org", ["Admin:Password"] = "Chief-password-42" };
        await using (var app = new CityOpsAppFactory(db, settings))
        {
            _ = app.Services;
            await using var scope = app.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();

            var admins = await users.GetUsersInRoleAsync(Roles.Administrator);

            Assert.Equal(["chief@example.org"], admins.Select(a => a.Email));
            Assert.Null(await users.FindByEmailAsync("operator@cityops.local"));
            Assert.Null(await users.FindByEmailAsync("admin@cityops.local"));
            var response = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "chief@example.org", "Chief-password-42");
            Assert.Equal("/", response.Headers.Location!.OriginalString);
        }

        // A later start with another configured admin must not add a second one.
        settings["Admin:Email"] = "other@example.org";
        await using (var again = new CityOpsAppFactory(db, settings))
        {
            await using var scope = again.Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();
            Assert.Null(await users.FindByEmailAsync("other@example.org"));
        }
    }

    [Fact]
    public async Task Seed_DemoModeWithPasswordOverride_DemoUsersUseTheOverride()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var demo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CityOps:DemoMode"] = "true",
            ["CITYOPS_DEMO_PASSWORD"] = "Another-demo-pw-9",
        }).Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await new AccountsSeeder(demo, NullLogger<AccountsSeeder>.Instance).SeedAsync(scope.ServiceProvider, CancellationToken.None);
        }

        var withOverride = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "admin@cityops.local", "Another-demo-pw-9");
        var withDefault = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "operator@cityops.local", AccountsSeeder.DefaultDemoPassword);

        Assert.Equal("/", withOverride.Headers.Location!.OriginalString);
        Assert.Equal("/account/login?error=invalid", withDefault.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Seed_RunTwice_AddsNoSecondCopyOfTheDemoUsers()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var demo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CityOps:DemoMode"] = "true" }).Build();

        for (var i = 0; i < 2; i++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            await new AccountsSeeder(demo, NullLogger<AccountsSeeder>.Instance).SeedAsync(scope.ServiceProvider, CancellationToken.None);
        }

        await using var check = app.Services.CreateAsyncScope();
        var users = check.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();
        Assert.Equal(3, users.Users.Count());
        var admin = await users.FindByEmailAsync("admin@cityops.local");
        Assert.Equal(Roles.All.Order(), (await users.GetRolesAsync(admin!)).Order());
        var manager = await users.FindByEmailAsync("manager@cityops.local");
        Assert.Equal([Roles.Manager], await users.GetRolesAsync(manager!));
    }
}
