using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Alarms;

/// <summary>The alarm detail's evidence in a browser: the rule version and readings from the database, drawn by uPlot.</summary>
public sealed class AlarmEvidenceUiTests(ShellUiFixture fixture) : IClassFixture<ShellUiFixture>, IAsyncLifetime
{
    private const string Sensor = "tplant.line1.press.temp";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
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

    [Fact]
    public async Task AlarmDetail_LimitRuleAlarm_DrawsReadingsLimitsAndTriggeringReadingsWithoutScriptErrors()
    {
        var errors = new List<string>();
        _page.PageError += (_, e) => errors.Add(e);
        var raised = DateTime.UtcNow.AddMinutes(-2);
        var alarm = await RaiseLimitAlarmAsync(raised);
        await SignInAsync("operator@cityops.local");

        await _page.GotoAsync($"/alarms/{alarm.Id}");

        var legend = _page.GetByTestId("evidence-legend");
        await Expect(legend).ToContainTextAsync("High limit: 180.0 °C");
        await Expect(legend).ToContainTextAsync("High clears below: 175.0 °C");
        await Expect(legend).ToContainTextAsync("● 3 triggering points");
        var chart = _page.GetByTestId("evidence-chart");
        // Set by the chart module once uPlot has drawn: reading, two lines, triggering points.
        await Expect(chart).ToHaveAttributeAsync("data-series", "4");
        await Expect(chart.Locator("canvas")).ToHaveCountAsync(1);
        Assert.Empty(errors);
    }

    private async Task<AlarmView> RaiseLimitAlarmAsync(DateTime raised)
    {
        var ruleKey = $"test.{Guid.NewGuid():N}";
        var definition = new AlertRuleDefinition(ruleKey, "Press temperature high", new RuleScope(SensorKey: Sensor),
            new LimitParameters { High = 180, Deadband = 5, OnDelay = TimeSpan.FromSeconds(2) }, AlarmPriority.High, "Press temperature high",
            new Rationalisation("Heater stuck", "Scrap", "Stop the press", TimeSpan.FromMinutes(10)), []);
        var alarm = new Alarm
        {
            RuleKey = ruleKey, RuleVersion = 1, RuleName = "Press temperature high", SourceKey = Sensor, SensorKey = Sensor,
            AssetKey = "tplant.line1.press", SiteKey = "tplant", Area = "Line 1", Priority = AlarmPriority.High,
            State = AlarmState.ActiveUnacknowledged, ConditionActive = true, Message = "Press temperature high",
            Value = 182.5, Unit = "°C", Score = 1, RaisedAt = raised,
        };
        int sensorId;
        await using (var db = await fixture.App.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct))
        {
            db.AlertRuleVersions.Add(new AlertRuleVersion { RuleKey = ruleKey, Version = 1, Definition = definition, SavedBy = "test", SavedAt = raised.AddHours(-1) });
            db.Alarms.Add(alarm);
            await db.SaveChangesAsync(Ct);
            sensorId = await db.Sensors.Where(s => s.Key == Sensor).Select(s => s.Id).SingleAsync(Ct);
        }
        // A minute at 170 °C, then three readings above the limit up to the raise.
        await using (var insert = fixture.App.Services.GetRequiredService<ReadingsDatabase>().DataSource.CreateCommand(
            "INSERT INTO readings (sensor_id, ts, value) SELECT $1, $2 + make_interval(secs => s), CASE WHEN s > 57 THEN 182.5 ELSE 170 END FROM generate_series(1, 60) s ON CONFLICT DO NOTHING"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = sensorId });
            insert.Parameters.Add(new NpgsqlParameter { Value = raised.AddSeconds(-60) });
            await insert.ExecuteNonQueryAsync(Ct);
        }
        var view = alarm.ToView();
        fixture.App.Services.GetRequiredService<AlarmBoard>().Apply([view]);
        return view;
    }

    private async Task SignInAsync(string email)
    {
        await _page.GotoAsync("/");
        await _page.Locator("#email").FillAsync(email);
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page.GetByTestId("current-user")).ToContainTextAsync(email);
    }
}
