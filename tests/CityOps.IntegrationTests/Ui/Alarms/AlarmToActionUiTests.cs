using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Actions;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Alarms;

/// <summary>An operator works an alarm from the console to an applied control action, in demo mode with the running twin.</summary>
public sealed class AlarmToActionUiTests(PostgresFixture pg) : IAsyncLifetime
{
    private const string Zone = "city.riverside.wz";
    private const string Inlet = Zone + ".pressure_inlet";
    private const string Supply = Zone + ".pressure_cp";
    private const string Bypass = Zone + ".bypass";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly BrowserFixture _browser = new();
    private KestrelApp _app = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = KestrelApp.Start(await pg.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["CityOps:DemoMode"] = "true",
            ["Demo:BackfillHours"] = "0",
            ["Demo:TickMilliseconds"] = "200",
            ["Demo:ScheduleFaults"] = "false",
        });
        await Wait.UntilAsync(() => Task.FromResult(_app.Services.GetRequiredService<DemoTwinHost>().IsRunning), TimeSpan.FromSeconds(90), "the demo twin");
        await _app.Services.GetRequiredService<AlertEngineService>().Ready.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        await _browser.InitializeAsync();
        _context = await _browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _app.BaseUrl });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _page = await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _browser.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task WorkAlarm_OperatorAcknowledgesAndAcceptsTheBypass_CommandAppliedAndSupplyPressureRises()
    {
        await InjectLeakAsync();
        var alarm = await RaiseInletAlarmAsync();

        await SignInAsync("operator@cityops.local");
        await _page.GotoAsync("/alarms");
        var row = _page.Locator($"tr[data-alarm-id='{alarm.Id}']");
        await Expect(row).ToContainTextAsync("Water pressure below service level");
        await Expect(row.GetByTestId("alarm-state")).ToHaveTextAsync("Unacknowledged");
        await Expect(_page.GetByTestId("mute-toggle")).ToBeEnabledAsync();
        await row.Locator("input[type='checkbox']").CheckAsync();
        await _page.GetByTestId("acknowledge").ClickAsync();
        await Expect(row.GetByTestId("alarm-state")).ToHaveTextAsync("Acknowledged");

        await row.GetByTestId("alarm-link").ClickAsync();
        await Expect(_page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/alarms/{alarm.Id}$"));
        var suggestions = _app.Services.GetRequiredService<SuggestionService>();
        SuggestionView? view = null;
        await Wait.UntilAsync(async () =>
        {
            view = (await suggestions.ForAlarmAsync(alarm.Id, Ct)).FirstOrDefault(v => v.Suggestion.ActuatorKey == Bypass);
            return view is not null;
        }, TimeSpan.FromSeconds(90), "a bypass suggestion for the alarm");
        var effect = view!.Effect!;
        // The detail shows the suggestion whether it was stored before the page opened or after (it is told of new ones).
        var card = _page.Locator($"[data-testid='suggestion'][data-suggestion-id='{view.Suggestion.Id}']");
        await Expect(card).ToHaveAttributeAsync("data-status", "Proposed");
        await Expect(card.GetByTestId("effect-summary")).ToBeVisibleAsync();
        await card.GetByTestId("accept").ClickAsync();

        await Expect(card).ToHaveAttributeAsync("data-status", "Accepted");
        await Expect(card.GetByTestId("command")).ToHaveAttributeAsync("data-command-status", "Applied");
        await Expect(card.GetByTestId("command")).ToContainTextAsync("requested by operator@cityops.local");
        Assert.Equal(view.Suggestion.ProposedValue, _app.Services.GetRequiredService<DemoTwinHost>().Use(t => t.GetActuator(Bypass)));

        // The asset's live value of the supply pressure climbs clear of what the twin predicted without the bypass.
        await _page.GotoAsync($"/assets/{Zone}");
        var shown = _page.Locator($".cityops-sensorstatus[data-sensor-key='{Supply}'] [data-testid='sensor-value']");
        await Expect(shown).ToBeVisibleAsync();
        double value = double.NaN, without = double.NaN;
        await Wait.UntilAsync(async () =>
        {
            var text = (await shown.InnerTextAsync()).Trim().Split(' ')[0];
            without = ActionsTestKit.Interpolate(effect.Without, DateTime.UtcNow);
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > without + 0.3;
        }, TimeSpan.FromSeconds(120), $"the supply pressure to rise clear of the prediction without the bypass (last {value:F2} bar, without {without:F2} bar)");
    }

    private async Task SignInAsync(string email)
    {
        await _page.GotoAsync("/");
        await _page.Locator("#email").FillAsync(email);
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page.GetByTestId("current-user")).ToContainTextAsync(email);
    }

    /// <summary>The burst main, through the administrator's demo API: the twin's zone starts losing pressure.</summary>
    private async Task InjectLeakAsync()
    {
        using var admin = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(_app.BaseUrl) };
        using (var signIn = await AccountClient.SignInAsync(admin, "admin@cityops.local", AccountsSeeder.DefaultDemoPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        using var response = await admin.PostAsJsonAsync("/api/v1/demo/faults", new { kind = "Leak", target = Zone, durationMinutes = 120, magnitude = 400 }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>
    /// The zone's inlet transmitter reports 2.2 bar for longer than the rule's on-delay, through the ingest API, so the
    /// alarm comes at once instead of after minutes of falling pressure. The readings lie a little ahead of the twin's
    /// own (within the clock-skew tolerance) so its feed cannot interleave them; the supply pressure stays the twin's.
    /// </summary>
    private async Task<AlarmView> RaiseInletAlarmAsync()
    {
        var key = (await _app.Services.GetRequiredService<ApiKeyService>().CreateAsync("inlet transmitter", ApiKeyScopes.Ingest)).Secret;
        using var http = new HttpClient { BaseAddress = new Uri(_app.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var start = DateTime.UtcNow.AddSeconds(5);
        var body = JsonSerializer.Serialize(Enumerable.Range(0, 15).Select(i => new { sensor = Inlet, ts = start.AddSeconds(10 * i).ToString("O"), value = 2.2 }));
        using (var response = await http.PostAsync("/api/v1/readings", new StringContent(body, Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        var board = _app.Services.GetRequiredService<AlarmBoard>();
        AlarmView? found = null;
        await Wait.UntilAsync(() =>
        {
            found = board.Standing().FirstOrDefault(a => a.RuleKey == "city.water.pressure_low" && a.SensorKey == Inlet);
            return Task.FromResult(found is not null);
        }, TimeSpan.FromSeconds(60), "the low-pressure alarm");
        Assert.Equal(AlarmState.ActiveUnacknowledged, found!.State);
        return found;
    }

}
