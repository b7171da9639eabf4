using CityOps.IntegrationTests.Infrastructure;

namespace CityOps.IntegrationTests.Ui;

/// <summary>The application on Kestrel with the demo accounts and a small world, and one Chromium for the class.</summary>
public sealed class ShellUiFixture(PostgresFixture pg) : IAsyncLifetime
{
    public KestrelApp App { get; private set; } = null!;

    public BrowserFixture Browser { get; } = new();

    public async ValueTask InitializeAsync()
    {
        // Open screens re-check their user every second here, so that a locked account's screen closes quickly.
        App = KestrelApp.Start(await pg.CreateDatabaseAsync(), new Dictionary<string, string?> { ["Accounts:RevalidationInterval"] = "00:00:01" });
        await App.SeedDemoAccountsAndTestWorldAsync();
        await Browser.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await App.DisposeAsync();
    }
}
