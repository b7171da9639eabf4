using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.IntegrationTests.Accounts;

/// <summary>One application for the sign-in tests, with the demo users seeded and a user without a role.</summary>
public sealed class AccountsAppFixture(PostgresFixture pg) : IAsyncLifetime
{
    public const string NoRoleEmail = "visitor@cityops.local";
    public const string Password = AccountsSeeder.DefaultDemoPassword;

    public CityOpsAppFactory App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        // The demo seeder itself, with demo mode on, but without the rest of demo mode (feeds, history).
        var demo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CityOps:DemoMode"] = "true" }).Build();
        await using var scope = App.Services.CreateAsyncScope();
        await new AccountsSeeder(demo, NullLogger<AccountsSeeder>.Instance).SeedAsync(scope.ServiceProvider, CancellationToken.None);
        await AccountClient.CreateUserAsync(App.Services, NoRoleEmail, Password);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
