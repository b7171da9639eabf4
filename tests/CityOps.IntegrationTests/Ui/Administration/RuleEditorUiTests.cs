using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Administration;

/// <summary>The alert-rule editor in a browser against the real rule store, backtester, engine and database.</summary>
public class RuleEditorUiTests(ShellUiFixture fixture) : IClassFixture<ShellUiFixture>, IAsyncLifetime
{
    private const string Sensor = "tplant.line1.press.temp";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.App.BaseUrl });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _page = await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private async Task SignInAsync(string email)
    {
        await _page.GotoAsync("/");
        await _page.Locator("#email").FillAsync(email);
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page.GetByTestId("current-user")).ToContainTextAsync(email);
    }

    /// <summary>
    /// Two hours of press temperature, one reading a minute at 100 °C with three five-minute excursions to 160 °C,
    /// posted through the ingest API (acknowledged once stored, so the backtest can read them).
    /// </summary>
    private async Task IngestHistoryAsync()
    {
        var key = await fixture.App.Services.GetRequiredService<ApiKeyService>().CreateAsync("rule editor ui", ApiKeyScopes.Ingest,
            cancellationToken: TestContext.Current.CancellationToken);
        var start = DateTime.UtcNow.AddMinutes(-130);
        var readings = Enumerable.Range(0, 120).Select(i => new
        {
            sensor = Sensor,
            ts = start.AddMinutes(i).ToString("O", CultureInfo.InvariantCulture),
            value = i % 40 is >= 20 and < 25 ? 160.0 : 100.0,
        });
        using var http = new HttpClient { BaseAddress = new Uri(fixture.App.BaseUrl) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key.Secret);
        using var response = await http.PostAsync("/api/v1/readings", new StringContent(JsonSerializer.Serialize(readings), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>Locates a MudBlazor field's input whether the test id sits on the input or on its wrapper.</summary>
    private ILocator Field(string testId) => _page.Locator($"input[data-testid='{testId}'], [data-testid='{testId}'] input").First;

    [Fact]
    public async Task EditBacktestSave_LowerHighLimit_BacktestCountsItsAlarmsAndTheEngineRunsTheNewVersion()
    {
        await fixture.App.Services.GetRequiredService<SensorCatalog>().RefreshAsync(TestContext.Current.CancellationToken);
        await IngestHistoryAsync();
        var ruleKey = $"ui.press_temp.{Guid.NewGuid():N}";
        // Saved at 170 °C: the history never reaches it, so the saved version raises nothing.
        await fixture.App.Services.GetRequiredService<AlertRuleStore>().SaveAsync(new AlertRuleDefinition(ruleKey, "Press temperature high",
                new RuleScope(SensorKey: Sensor), new LimitParameters { High = 170, Deadband = 1 }, AlarmPriority.High, "Press temperature is high",
                new Rationalisation("Heater control fails", "Parts are scrapped", "Check the heater controller", TimeSpan.FromMinutes(10)), []),
            "admin@cityops.local", "First version", TestContext.Current.CancellationToken);

        await SignInAsync("admin@cityops.local");
        await _page.GotoAsync($"/admin/rules/{ruleKey}");
        await Expect(_page.GetByTestId("rule-version")).ToContainTextAsync("Active version 1");
        // The buttons work once the page is interactive: they are enabled from then on.
        await Expect(_page.GetByTestId("backtest-run")).ToBeEnabledAsync();

        await Field("field-model.high").FillAsync("150");
        await Field("field-model.high").PressAsync("Tab");
        await Expect(_page.GetByTestId("backtest-state")).ToHaveTextAsync("Not backtested");
        await _page.GetByTestId("backtest-run").ClickAsync();

        await Expect(_page.GetByTestId("backtest-alarm-count")).ToHaveTextAsync("3");
        await Expect(_page.GetByTestId("backtest-alarm")).ToHaveCountAsync(3);
        await Expect(_page.Locator("[data-testid='backtest-rates'] tr[data-rate='Alarms'] td").Nth(1)).ToHaveTextAsync("0");
        await Expect(_page.GetByTestId("backtest-chart")).ToHaveAttributeAsync("data-alarm-intervals", "3");
        await Expect(_page.GetByTestId("backtest-state")).ToHaveTextAsync("Backtested as it is now");

        await Field("field-changeNote").FillAsync("Warn before parts are scrapped");
        await _page.GetByTestId("rule-save").ClickAsync();

        await Expect(_page.GetByTestId("rule-version")).ToContainTextAsync("Active version 2");
        await Expect(_page.Locator("[data-testid='versions'] tr[data-version='2']")).ToContainTextAsync("Warn before parts are scrapped");
        var running = fixture.App.Services.GetRequiredService<AlertEngineService>().FindRule(ruleKey);
        Assert.Equal(150, Assert.IsType<LimitParameters>(running?.Model).High);
        var api = await _page.APIRequest.GetAsync($"/api/v1/admin/rules/{ruleKey}");
        Assert.Equal(200, api.Status);
        using var rule = JsonDocument.Parse(await api.TextAsync());
        Assert.Equal(2, rule.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(150, rule.RootElement.GetProperty("definition").GetProperty("model").GetProperty("high").GetDouble());
    }
}
