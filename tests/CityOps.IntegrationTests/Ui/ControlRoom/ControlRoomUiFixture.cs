using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Assets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CityOps.IntegrationTests.Ui.ControlRoom;

/// <summary>The application on Kestrel with the demo accounts and the small test world, and one Chromium for the class.</summary>
public sealed class ControlRoomUiFixture(PostgresFixture pg) : IAsyncLifetime
{
    public KestrelApp App { get; private set; } = null!;

    public BrowserFixture Browser { get; } = new();

    public async ValueTask InitializeAsync()
    {
        App = KestrelApp.Start(await pg.CreateDatabaseAsync());
        var demo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CityOps:DemoMode"] = "true" }).Build();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            await new AccountsSeeder(demo, NullLogger<AccountsSeeder>.Instance).SeedAsync(scope.ServiceProvider, CancellationToken.None);
        }
        await App.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create());
        await Browser.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await App.DisposeAsync();
    }
}
