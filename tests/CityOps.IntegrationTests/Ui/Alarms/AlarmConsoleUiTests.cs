using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Alarms;

/// <summary>The alarm console in a browser against the real board, operations and database.</summary>
public class AlarmConsoleUiTests(ShellUiFixture fixture) : IClassFixture<ShellUiFixture>, IAsyncLifetime
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

    private Task<CityOpsDbContext> Db() => fixture.App.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);

    /// <summary>A standing alarm as the engine leaves it: a row in the database and on the board.</summary>
    private async Task<AlarmView> RaiseAsync(string message, AlarmPriority priority)
    {
        var alarm = new Alarm
        {
            // One standing alarm per (rule, source): each test has its own rule.
            RuleKey = $"test.{Guid.NewGuid():N}", RuleVersion = 1, RuleName = "Press temperature high", SourceKey = "tplant.line1.press.temp",
            SensorKey = "tplant.line1.press.temp", AssetKey = "tplant.line1.press", SiteKey = "tplant", Area = "Line 1",
            Priority = priority, State = AlarmState.ActiveUnacknowledged, ConditionActive = true, Message = message,
            Value = 182.5, Unit = "°C", Score = 1, RaisedAt = DateTime.UtcNow.AddMinutes(-2),
        };
        await using (var db = await Db())
        {
            db.Alarms.Add(alarm);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var view = alarm.ToView();
        fixture.App.Services.GetRequiredService<AlarmBoard>().Apply([view]);
        return view;
    }

    [Fact]
    public async Task Acknowledge_KeyAOnTheFocusedRow_AcknowledgesAsTheSignedInOperator()
    {
        await SignInAsync("operator@cityops.local");
        var alarm = await RaiseAsync($"Press overheating {Guid.NewGuid():N}", AlarmPriority.High);
        await _page.GotoAsync("/alarms");
        var row = _page.Locator($"tr[data-alarm-id='{alarm.Id}']");
        await Expect(row).ToContainTextAsync("Unacknowledged");
        await Expect(_page.GetByTestId("alarm-nav-badge")).ToBeVisibleAsync();

        // Keys do something once the circuit is connected; the mute button is enabled from then on.
        await Expect(_page.GetByTestId("mute-toggle")).ToBeEnabledAsync();
        await _page.GetByTestId("alarm-grid").FocusAsync();
        await _page.Keyboard.PressAsync("j");
        await Expect(_page.GetByTestId("alarm-grid")).ToHaveAttributeAsync("aria-activedescendant", $"alarm-row-{alarm.Id}");
        await _page.Keyboard.PressAsync("a");

        await Expect(row.GetByTestId("alarm-state")).ToHaveTextAsync("Acknowledged");
        await using var db = await Db();
        var stored = await db.Alarms.AsNoTracking().SingleAsync(a => a.Id == alarm.Id, TestContext.Current.CancellationToken);
        Assert.Equal((AlarmState.ActiveAcknowledged, "operator@cityops.local"), (stored.State, stored.AcknowledgedBy));
    }

    [Fact]
    public async Task Shelve_ReasonAndDurationGiven_ShelvesAndTheHandoverShowsTheReason()
    {
        await SignInAsync("operator@cityops.local");
        var alarm = await RaiseAsync($"Press vibration {Guid.NewGuid():N}", AlarmPriority.Medium);
        await _page.GotoAsync($"/alarms/{alarm.Id}");
        await Expect(_page.GetByTestId("alarm-state")).ToContainTextAsync("Unacknowledged");
        await Expect(_page.GetByTestId("comment")).ToBeEnabledAsync();

        await _page.GetByTestId("shelve").ClickAsync();
        await _page.GetByTestId("reason-submit").ClickAsync();
        // Without a reason nothing is sent.
        await Expect(_page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await _page.GetByRole(AriaRole.Dialog).Locator("textarea").FillAsync("Sensor replaced this shift");
        await _page.GetByTestId("reason-submit").ClickAsync();

        await Expect(_page.GetByTestId("alarm-state")).ToContainTextAsync("Shelved");
        await _page.GotoAsync("/alarms/handover");
        await Expect(_page.Locator($"[data-testid='handover-shelved'] tr[data-alarm-id='{alarm.Id}']")).ToContainTextAsync("Sensor replaced this shift");
    }
}
