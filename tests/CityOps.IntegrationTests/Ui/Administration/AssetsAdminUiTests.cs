using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Assets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Administration;

/// <summary>The assets administration page in Chromium against the real application: every change is made in the page.</summary>
public sealed class AssetsAdminUiTests(ShellUiFixture fixture) : IClassFixture<ShellUiFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.App.BaseUrl });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _page = await _context.NewPageAsync();
        await _page.GotoAsync("/admin/assets");
        await _page.Locator("#email").FillAsync("admin@cityops.local");
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page.GetByTestId("registry-tree")).ToBeVisibleAsync();
        // The app bar's buttons are enabled once the circuit is up: from then on the page hears what is typed and clicked.
        await Expect(_page.GetByTestId("theme-toggle")).ToBeEnabledAsync();
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private ILocator Node(string id) => _page.Locator($"[data-node='{id}']");

    private async Task<T> QueryAsync<T>(Func<CityOpsDbContext, Task<T>> query)
    {
        await using var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    [Fact]
    public async Task AddSensor_InTheDialogWithAMapClick_IsSavedAndKnownToIngest()
    {
        await _page.GetByTestId("tree-search").FillAsync("x1");
        await Node("asset:tcity.north.x1").ClickAsync();
        await Expect(_page.GetByTestId("asset-form")).ToContainTextAsync("Crossing 1");
        await Expect(_page.Locator("[data-sensor='tcity.north.x1.speed']")).ToBeVisibleAsync();

        await _page.GetByTestId("sensor-add").ClickAsync();
        var dialog = _page.GetByTestId("sensor-dialog");
        await dialog.GetByTestId("sensor-key").FillAsync("tcity.north.x1.lux");
        await dialog.GetByTestId("sensor-unit").FillAsync("lx");
        await dialog.GetByTestId("sensor-max").FillAsync("-5");
        await _page.GetByTestId("sensor-save").ClickAsync();
        await Expect(dialog).ToContainTextAsync("must be greater than min");
        await dialog.GetByTestId("sensor-max").FillAsync("100000");
        await dialog.GetByTestId("location-picker").ClickAsync(new LocatorClickOptions { Position = new Position { X = 60, Y = 60 } });
        await Expect(dialog.GetByTestId("sensor-lat")).Not.ToHaveValueAsync("");
        await _page.GetByTestId("sensor-save").ClickAsync();

        await Expect(_page.Locator("[data-sensor='tcity.north.x1.lux']")).ToBeVisibleAsync();
        Assert.True(fixture.App.Services.GetRequiredService<SensorCatalog>().TryGet("tcity.north.x1.lux", out var lux));
        Assert.Equal(100000, lux.Max);
        Assert.NotNull(await QueryAsync(db => db.Sensors.Where(s => s.Key == "tcity.north.x1.lux").Select(s => s.Latitude).SingleAsync()));
    }

    [Fact]
    public async Task DragAsset_OntoAnotherAndConfirm_ReparentsIt()
    {
        await _page.GetByTestId("tree-search").FillAsync("tplant");
        await Expect(Node("site:tcity")).ToHaveCountAsync(0);
        await Node("site:tplant").ClickAsync();
        // Straight on, as an administrator does, while the site form's map may still be loading: leaving a form before its
        // map is made must not break the page.
        await _page.GetByTestId("asset-add-top").ClickAsync();
        await _page.GetByTestId("asset-key").FillAsync("tplant.line2");
        await _page.GetByTestId("asset-name").FillAsync("Line 2");
        await _page.GetByTestId("asset-save").ClickAsync();
        await Expect(Node("asset:tplant.line2")).ToBeVisibleAsync();

        await Node("asset:tplant.line1.press").DragToAsync(Node("asset:tplant.line2"));
        await _page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Move" }).ClickAsync();

        await Expect(_page.GetByText("tplant.line1.press moved.")).ToBeVisibleAsync();
        Assert.Equal("tplant.line2", await QueryAsync(db => db.Assets.Where(a => a.Key == "tplant.line1.press").Select(a => a.Parent!.Key).SingleAsync()));
    }
}
