using System.Net;
using System.Text.RegularExpressions;
using CityOps.IntegrationTests.Administration;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.IntegrationTests.Ingest;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Administration;

/// <summary>The keys and users pages in Chromium over a real circuit; open screens re-check users only every 5 minutes (the default).</summary>
public sealed class AdministrationUiTests(AdministrationUiTests.Fixture fixture) : IClassFixture<AdministrationUiTests.Fixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public sealed class Fixture(PostgresFixture pg) : IAsyncLifetime
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

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.App.BaseUrl });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _page = await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    [Fact]
    public async Task KeysPage_CreateKey_SecretShownOnceAndItIngests()
    {
        await SignInAsync("admin@cityops.local");
        await _page.GotoAsync("/admin/keys");
        // Enabled once the circuit is interactive; before that typing and clicking go unheard.
        await Expect(_page.GetByTestId("key-save")).ToBeEnabledAsync();

        await Field("key-label").FillAsync("ui gateway");
        await _page.GetByTestId("key-save").ClickAsync();
        var secret = (await _page.GetByTestId("new-secret").TextContentAsync())!.Trim();
        await _page.GetByTestId("close-secret").ClickAsync();

        await Expect(_page.GetByTestId("new-secret-panel")).ToHaveCountAsync(0);
        await Expect(_page.Locator("[data-testid='key-row']", new() { HasText = "ui gateway" })).ToHaveCountAsync(1);
        Assert.DoesNotContain(secret, await _page.ContentAsync());
        using var gateway = new HttpClient { BaseAddress = new Uri(fixture.App.BaseUrl) };
        gateway.DefaultRequestHeaders.Add("X-Api-Key", secret);
        var ingest = await gateway.PostAsync("/api/v1/readings", IngestTestHost.Json("[]"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, ingest.StatusCode);
    }

    [Fact]
    public async Task UsersPage_OpenWhileTheAdministratorIsDemoted_ScreenLeavesAtOnce()
    {
        const string email = "deputy@cityops.local";
        var deputy = await AccountClient.CreateUserAsync(fixture.App.Services, email, AccountsSeeder.DefaultDemoPassword, Roles.Operator, Roles.Administrator);
        await SignInAsync(email);
        await _page.GotoAsync("/admin/users");
        await Expect(_page.Locator("[data-testid='user-row']", new() { HasText = email })).ToHaveCountAsync(1);
        // The circuit is up (buttons are enabled only then): the change must reach an open, interactive screen.
        await Expect(_page.GetByTestId("new-user-create")).ToBeEnabledAsync();

        var chief = await AccountClient.FindUserAsync(fixture.App.Services, "admin@cityops.local");
        await fixture.App.Services.GetRequiredService<IUserAdministration>()
            .SetRolesAsync(ClusterNodes.Administrator("admin@cityops.local", chief!.Id), deputy.Id, [Roles.Operator], TestContext.Current.CancellationToken);

        // Well within the 5-minute periodic re-check: only the change signal explains it.
        await Expect(_page).ToHaveURLAsync(new Regex("/account/login"));
    }

    private ILocator Field(string testId) => _page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;

    private async Task SignInAsync(string email)
    {
        await _page.GotoAsync("/");
        await Expect(_page).ToHaveURLAsync(new Regex("/account/login"));
        await _page.Locator("#email").FillAsync(email);
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page).Not.ToHaveURLAsync(new Regex("/account/login"));
    }
}
