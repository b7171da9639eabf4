using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui;

public class ShellUiTests(ShellUiFixture fixture) : IClassFixture<ShellUiFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly List<string> _foreignRequests = [];
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    private string BaseUrl => fixture.App.BaseUrl;

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _page = await _context.NewPageAsync();
        _page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(BaseUrl, StringComparison.Ordinal) && !request.Url.StartsWith("ws://127.0.0.1", StringComparison.Ordinal) &&
                !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                _foreignRequests.Add(request.Url);
            }
        };
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private async Task SignInAsync(string email, string password = AccountsSeeder.DefaultDemoPassword)
    {
        await _page.GotoAsync("/");
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
        await _page.Locator("#email").FillAsync(email);
        await _page.Locator("#password").FillAsync(password);
        await _page.GetByTestId("sign-in").ClickAsync();
    }

    private ILocator SiteField(string site, string field) => _page.Locator($"[data-site-key='{site}'] [data-testid='{field}']");

    [Fact]
    public async Task Home_OperatorSignsInAndReadingsArrive_CountsChangeWithoutReload()
    {
        await SignInAsync("operator@cityops.local");
        await Expect(_page).ToHaveURLAsync(BaseUrl + "/");
        await Expect(_page.GetByTestId("current-user")).ToContainTextAsync("operator@cityops.local");
        await Expect(SiteField("tcity", "site-reporting")).ToHaveTextAsync("0");
        await Expect(_page.Locator("[data-site-key='tcity']")).ToContainTextAsync("of 2");
        await Expect(SiteField("tcity", "site-state")).ToHaveTextAsync("No readings yet");
        // Survives only if the page is not reloaded.
        await _page.EvaluateAsync("window.__sameDocument = true");

        var catalog = fixture.App.Services.GetRequiredService<SensorCatalog>();
        Assert.True(catalog.TryGet("tcity.north.x1.speed", out var speed));
        Assert.True(catalog.TryGet("tcity.north.x1.occupancy", out var occupancy));
        var observers = fixture.App.Services.GetServices<IReadingsObserver>().ToList();
        Assert.Contains(observers, o => o is LiveStore);

        // Readings keep arriving, as from the ingest writer, until the open page shows them: the
        // circuit may still be connecting when the first batch lands.
        using var feeding = new CancellationTokenSource(Patience);
        var feed = Task.Run(async () =>
        {
            while (!feeding.IsCancellationRequested)
            {
                var now = DateTime.UtcNow;
                foreach (var observer in observers)
                {
                    observer.OnCommitted([new(speed.Id, now, 48.5), new(occupancy.Id, now, 31)]);
                }
                await Task.Delay(200, CancellationToken.None);
            }
        }, CancellationToken.None);
        try
        {
            await Expect(SiteField("tcity", "site-reporting")).ToHaveTextAsync("2");
            await Expect(SiteField("tcity", "site-state")).ToHaveTextAsync("Reporting");
            await Expect(SiteField("tcity", "site-rate")).Not.ToHaveTextAsync("0.0");
            await Expect(SiteField("tcity", "site-age")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ s ago$"));
            await Expect(SiteField("tplant", "site-state")).ToHaveTextAsync("No readings yet");
        }
        finally
        {
            await feeding.CancelAsync();
            await feed;
        }
        Assert.True(await _page.EvaluateAsync<bool>("window.__sameDocument === true"), "the page was reloaded");
        Assert.Empty(_foreignRequests);
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsTheErrorOnTheLoginPage()
    {
        await SignInAsync("manager@cityops.local", "definitely-wrong");

        await Expect(_page.GetByTestId("login-error")).ToContainTextAsync("email or password is not correct");
        await Expect(_page.Locator("#email")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ThemeToggle_SwitchedToLight_StaysLightAfterReload()
    {
        await SignInAsync("manager@cityops.local");
        await Expect(_page).ToHaveURLAsync(BaseUrl + "/");
        await Expect(_page.Locator("meta[name='color-scheme']")).ToHaveAttributeAsync("content", "dark");
        var darkBackground = await BackgroundAsync();

        await _page.GetByTestId("theme-toggle").ClickAsync();
        await Expect(_page.Locator("meta[name='color-scheme']")).ToHaveAttributeAsync("content", "light");
        await _page.ReloadAsync();

        await Expect(_page.Locator("meta[name='color-scheme']")).ToHaveAttributeAsync("content", "light");
        Assert.NotEqual(darkBackground, await BackgroundAsync());
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "cityops-home-light.png") });
    }

    [Fact]
    public async Task SignOut_FromTheAppBar_ReturnsToLoginAndHomeNeedsSignInAgain()
    {
        await SignInAsync("admin@cityops.local");
        await Expect(_page.GetByTestId("current-user")).ToContainTextAsync("admin@cityops.local");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "cityops-home-dark.png") });

        await _page.GetByTestId("sign-out").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login$"));
        await _page.GotoAsync("/");

        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login\\?ReturnUrl=%2F$"));
    }

    [Fact]
    public async Task OpenScreen_AccountLockedMeanwhile_ScreenReturnsToLogin()
    {
        const string email = "nightshift@cityops.local";
        var user = await AccountClient.CreateUserAsync(fixture.App.Services, email, AccountsSeeder.DefaultDemoPassword, Roles.Operator);
        await SignInAsync(email);
        await Expect(_page.GetByTestId("theme-toggle")).ToBeEnabledAsync();

        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CityOpsUser>>();
            var stored = await users.FindByIdAsync(user.Id);
            await users.SetLockoutEndDateAsync(stored!, DateTimeOffset.MaxValue);
        }

        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
    }

    [Fact]
    public async Task Keyboard_TabFromTheTop_SkipLinkFirstThenTheNavigation()
    {
        await SignInAsync("operator@cityops.local");
        await Expect(_page.GetByTestId("theme-toggle")).ToBeEnabledAsync();
        // After a navigation the page moves focus to its heading; wait for that, then start from the top of the page
        // as a keyboard user who has just arrived would, so the heading cannot take focus between the key presses.
        await Expect(_page.Locator("h1").First).ToBeFocusedAsync();
        await _page.EvaluateAsync("() => { const top = document.createElement('span'); top.tabIndex = -1; document.body.prepend(top); top.focus(); }");

        await _page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await ActiveTextAsync());

        var reachedNavigation = false;
        for (var i = 0; i < 12 && !reachedNavigation; i++)
        {
            await _page.Keyboard.PressAsync("Tab");
            reachedNavigation = await _page.EvaluateAsync<bool>("document.activeElement.closest('nav, .mud-navmenu') !== null && document.activeElement.textContent.includes('Sites')");
        }
        Assert.True(reachedNavigation, $"Tab never reached the Sites link; focus ended on '{await ActiveTextAsync()}'");
    }

    private Task<string> ActiveTextAsync() => _page.EvaluateAsync<string>("document.activeElement.textContent.trim()");

    private Task<string> BackgroundAsync() => _page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor");
}
