using System.Text.RegularExpressions;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.ControlRoom;

/// <summary>An operator's screen while the server goes away and a new one starts on the same address and database.</summary>
public class ConnectionLossUiTests(PostgresFixture pg, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string PressTemp = "tplant.line1.press.temp";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MachineDetail_ServerRestarts_SaysConnectionLostThenResumesWithFreshValuesByItself()
    {
        await using var server = await RestartingServer.StartAsync(pg);
        using var feedingFirst = new CancellationTokenSource();
        using var feedingSecond = new CancellationTokenSource();
        var feeds = new List<Task>();
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        try
        {
            context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
            SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
            await server.Current!.SeedDemoAccountsAndTestWorldAsync();
            var page = await context.NewPageAsync();
            var loads = 0;
            page.Load += (_, _) => Interlocked.Increment(ref loads);
            await SignInAsync(page, server.BaseUrl, "/assets/tplant.line1.press");
            var value = page.Locator($".cityops-sensorstatus[data-sensor-key='{PressTemp}'] [data-testid='sensor-value']");
            var banner = page.GetByTestId("connection-banner");
            feeds.Add(FeedAsync(server.Current!, 61, feedingFirst.Token));
            await Expect(value).ToHaveTextAsync(Shows(61));
            await Expect(banner).ToBeHiddenAsync();
            var loadsBeforeLoss = Volatile.Read(ref loads);

            await feedingFirst.CancelAsync();
            await feeds[0];
            await server.StopAsync();

            await Expect(banner).ToBeVisibleAsync();
            await Expect(banner).ToContainTextAsync(new Regex("Connection to the server lost|cannot be reached"));
            await Expect(value).ToHaveTextAsync(Shows(61));

            feeds.Add(FeedAsync(server.StartAgain(), 77, feedingSecond.Token));

            await Expect(value).ToHaveTextAsync(Shows(77));
            await Expect(banner).ToBeHiddenAsync();
            Assert.EndsWith("/assets/tplant.line1.press", page.Url);
            // Whether the page resumed in place (a new circuit) or reloaded itself is the framework's choice; the test never reloads it.
            TestContext.Current.TestOutputHelper?.WriteLine($"Page loads after the connection loss: {Volatile.Read(ref loads) - loadsBeforeLoss}");
        }
        finally
        {
            await feedingFirst.CancelAsync();
            await feedingSecond.CancelAsync();
            await Task.WhenAll(feeds);
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task AnyPage_ErrorEndsTheSession_SaysSoThenReloadsByItself()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = KestrelApp.Start(database);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl });
        try
        {
            context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
            SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
            await app.SeedDemoAccountsAndTestWorldAsync();
            var page = await context.NewPageAsync();
            await SignInAsync(page, app.BaseUrl, "/assets/tplant.line1.press");
            var error = page.GetByTestId("error-banner");
            await Expect(error).ToBeHiddenAsync();
            var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            page.Load += (_, _) => reloaded.TrySetResult();

            // What the framework does when an unhandled error ends the circuit: it shows #blazor-error-ui.
            await page.EvaluateAsync("document.getElementById('blazor-error-ui').style.display = 'block'");

            await Expect(error).ToBeVisibleAsync();
            await Expect(error).ToContainTextAsync("not updating");
            await reloaded.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
            await Expect(page.GetByTestId("theme-toggle")).ToBeEnabledAsync();
            await Expect(error).ToBeHiddenAsync();
            Assert.EndsWith("/assets/tplant.line1.press", page.Url);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Fact]
    public async Task AnyPage_ErrorAsTheServerGoesAway_SaysItCannotBeReachedThenReloadsOnceItIsBack()
    {
        await using var server = await RestartingServer.StartAsync(pg);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        try
        {
            context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
            SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
            await server.Current!.SeedDemoAccountsAndTestWorldAsync();
            var page = await context.NewPageAsync();
            await SignInAsync(page, server.BaseUrl, "/assets/tplant.line1.press");
            // Marks this document: a reload replaces it.
            await page.EvaluateAsync("window.cityopsTestMark = true");
            var error = page.GetByTestId("error-banner");
            var banner = page.GetByTestId("connection-banner");

            // A server shutting down can end a session with an error, and the screen's reload then falls due while the
            // server is away.
            await server.StopAsync();
            await page.EvaluateAsync("document.getElementById('blazor-error-ui').style.display = 'block'");
            await Expect(error).ToBeVisibleAsync();

            // Instead of reloading into the browser's error page, the screen says the server cannot be reached and waits.
            await Expect(banner).ToContainTextAsync("cannot be reached");
            await Expect(error).ToBeHiddenAsync();
            await Expect(page.GetByTestId("theme-toggle")).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<bool>("window.cityopsTestMark === true"), "the screen reloaded while the server was away");

            server.StartAgain();
            await Wait.UntilAsync(async () =>
            {
                try
                {
                    return await page.EvaluateAsync<bool>("window.cityopsTestMark === undefined && document.readyState === 'complete'");
                }
                catch (PlaywrightException)
                {
                    // The document is being replaced.
                    return false;
                }
            }, Patience, "the screen to reload once the server is back");
            await Expect(page.GetByTestId("theme-toggle")).ToBeEnabledAsync();
            await Expect(banner).ToBeHiddenAsync();
            Assert.EndsWith("/assets/tplant.line1.press", page.Url);
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>The value as the sensor card shows it, with however many decimals the sensor's resolution asks for.</summary>
    private static Regex Shows(int value) => new($@"^{value}(\.0+)? °C$");

    private static async Task SignInAsync(IPage page, string baseUrl, string returnTo)
    {
        await page.GotoAsync(returnTo);
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await page.Locator("#email").FillAsync("operator@cityops.local");
        await page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await page.GetByTestId("sign-in").ClickAsync();
        await Expect(page).ToHaveURLAsync(baseUrl + returnTo);
        await Expect(page.GetByTestId("theme-toggle")).ToBeEnabledAsync();
    }

    /// <summary>Readings of the press temperature every 200 ms, as the instance's ingest writer hands them on, until cancelled.</summary>
    private static Task FeedAsync(KestrelApp app, double value, CancellationToken stop)
    {
        Assert.True(app.Services.GetRequiredService<SensorCatalog>().TryGet(PressTemp, out SensorInfo sensor));
        var observers = app.Services.GetServices<IReadingsObserver>().ToList();
        return Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var observer in observers)
                {
                    observer.OnCommitted([new(sensor.Id, DateTime.UtcNow, value)]);
                }
                try
                {
                    await Task.Delay(200, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// One address and database, served by an instance that can be stopped and then replaced by a new one. The
    /// instances share their data-protection keys, as instances sharing a key volume do in production, so the sign-in
    /// cookie of the first is accepted by the next.
    /// </summary>
    private sealed class RestartingServer : IAsyncDisposable
    {
        private readonly string _database;
        private readonly string _keys;
        private readonly Dictionary<string, string?> _settings;
        private readonly int _port;

        private RestartingServer(string database, string keys)
        {
            _database = database;
            _keys = keys;
            _settings = new Dictionary<string, string?> { ["DataProtection:KeysDirectory"] = keys };
            Current = KestrelApp.Start(database, _settings);
            _port = Current.Port;
            BaseUrl = Current.BaseUrl;
        }

        /// <summary>The instance serving now; null while stopped.</summary>
        public KestrelApp? Current { get; private set; }

        public string BaseUrl { get; }

        public static async Task<RestartingServer> StartAsync(PostgresFixture pg)
        {
            var keys = Path.Combine(Path.GetTempPath(), $"cityops-keys-{Guid.NewGuid():N}");
            Directory.CreateDirectory(keys);
            return new RestartingServer(await pg.CreateDatabaseAsync(), keys);
        }

        public async Task StopAsync()
        {
            var current = Current;
            Current = null;
            if (current is not null)
            {
                await current.DisposeAsync();
            }
        }

        /// <summary>A new instance on the same address and database.</summary>
        public KestrelApp StartAgain() => Current = KestrelApp.Start(_database, _settings, _port);

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Directory.Delete(_keys, recursive: true);
        }
    }
}
