using CityOps.IntegrationTests.Infrastructure;

namespace CityOps.IntegrationTests.Ui.ControlRoom;

/// <summary>The application on Kestrel with the demo accounts and the small test world, and one Chromium for the class.</summary>
public sealed class ControlRoomUiFixture(PostgresFixture pg) : IAsyncLifetime
{
    public KestrelApp App { get; private set; } = null!;

    public BrowserFixture Browser { get; } = new();

    public async ValueTask InitializeAsync()
    {
        App = KestrelApp.Start(await pg.CreateDatabaseAsync());
        await App.SeedDemoAccountsAndTestWorldAsync();
        await Browser.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await App.DisposeAsync();
    }
}
