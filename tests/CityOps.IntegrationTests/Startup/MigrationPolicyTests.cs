using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Startup;

public sealed class MigrationPolicyTests(PostgresFixture pg)
{
    [Fact]
    public async Task Start_MigrationsAppliedBeforehandAndMigrateOff_StillCreatesTheFirstAdministrator()
    {
        var db = await pg.CreateDatabaseAsync();
        await using (var first = new CityOpsAppFactory(db))
        {
            _ = first.Services; // migrates (the factory turns MigrateOnStartup on)
        }

        await using var app = new CityOpsAppFactory(db, new Dictionary<string, string?>
        {
            ["Database:MigrateOnStartup"] = "false",
            ["Admin:Email"] = "first-admin@example.org",
            ["Admin:Password"] = "First-admin-pass-1",
        });
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();
        var admin = await users.FindByEmailAsync("first-admin@example.org");

        Assert.NotNull(admin);
        Assert.True(await users.IsInRoleAsync(admin, Roles.Administrator));
        Assert.True(await users.CheckPasswordAsync(admin, "First-admin-pass-1"));
    }
}
