using System.Text.RegularExpressions;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.IntegrationTests.Kpi;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.Kpi;

/// <summary>The application on Kestrel with the demo accounts and the KPI test plant holding one known shift.</summary>
public sealed class KpiUiFixture(PostgresFixture pg) : IAsyncLifetime
{
    public KestrelApp App { get; private set; } = null!;
    public BrowserFixture Browser { get; } = new();

    public async ValueTask InitializeAsync()
    {
        App = KestrelApp.Start(await pg.CreateDatabaseAsync(), KpiTestHost.Settings);
        await App.SeedDemoAccountsAndTestWorldAsync();
        await App.Services.GetRequiredService<WorldRegistration>().RegisterAsync(KpiTestHost.World());
        await App.Services.GetRequiredService<SensorCatalog>().RefreshAsync();
        var key = await App.Services.GetRequiredService<ApiKeyService>().CreateAsync("kpi ui", ApiKeyScopes.Ingest);
        using var client = new HttpClient { BaseAddress = new Uri(App.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key.Secret);
        await KpiTestHost.PostAsync(client, KpiTestHost.Shift(KpiTestHost.Tuesday));
        await App.Services.GetRequiredService<RollupWorker>().FlushAsync(CancellationToken.None);
        await Browser.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        await App.DisposeAsync();
    }
}

public class KpiUiTests(KpiUiFixture fixture) : IClassFixture<KpiUiFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.App.BaseUrl, AcceptDownloads = true });
        _context.SetDefaultTimeout((float)Patience.TotalMilliseconds);
        SetDefaultExpectTimeout((float)Patience.TotalMilliseconds);
        _page = await _context.NewPageAsync();
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private async Task SignInAsync(string email)
    {
        await _page.GotoAsync("/");
        await Expect(_page).ToHaveURLAsync(new Regex("/account/login"));
        await _page.Locator("#email").FillAsync(email);
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page.GetByTestId("current-user")).ToContainTextAsync(email);
    }

    [Fact]
    public async Task PlantKpis_ManagerChangesPeriodAndExports_CsvHoldsTheFiguresShown()
    {
        await SignInAsync("manager@cityops.local");
        await _page.GotoAsync("/kpi/plant?site=kp&period=day&at=" + KpiTestHost.Tuesday.AddDays(-1).ToString("yyyy-MM-dd"));
        // Monday has no readings: every headline figure is missing.
        await Expect(_page.Locator("[data-kpi='oee'] [data-testid='kpi-value']")).ToHaveTextAsync("—");

        // The print button is enabled once the circuit is interactive; before that a change of the date would go unheard.
        await Expect(_page.GetByTestId("kpi-print")).ToBeEnabledAsync();
        await _page.GetByTestId("period-date").FillAsync(KpiTestHost.Tuesday.ToString("yyyy-MM-dd"));

        await Expect(_page.Locator("[data-kpi='oee'] [data-testid='kpi-value']")).ToHaveTextAsync("83.8 %");
        await Expect(_page.Locator("[data-kpi='oee'] [data-testid='kpi-status']")).ToHaveTextAsync("near target");
        await Expect(_page.Locator("[data-kpi='oee']")).ToContainTextAsync("Previous —");
        var download = await _page.RunAndWaitForDownloadAsync(() => _page.GetByTestId("kpi-export").ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!, TestContext.Current.CancellationToken);
        var lines = csv.TrimStart('\uFEFF').Split("\r\n");
        var records = lines.Select(Fields).ToList();

        var label = (await _page.GetByTestId("period-label").TextContentAsync())!.Trim();
        Assert.Contains("Period," + label, lines);
        foreach (var tile in await _page.Locator("[data-kpi]").AllAsync())
        {
            var name = (await tile.Locator(".kpi-tile__name").TextContentAsync())!.Trim();
            var value = (await tile.GetByTestId("kpi-value").TextContentAsync())!.Trim();
            var status = (await tile.GetByTestId("kpi-status").TextContentAsync())!.Trim();
            Assert.Contains(lines, l => l.StartsWith($"Summary,{name},{value},", StringComparison.Ordinal) && l.EndsWith("," + status, StringComparison.Ordinal));
        }
        foreach (var row in await _page.Locator("table[data-table='machines'] tbody tr").AllAsync())
        {
            var cells = (await row.Locator("th, td").AllTextContentsAsync()).Select(c => c.Trim());
            List<string> expected = ["Machines", .. cells];
            Assert.True(records.Any(r => r.SequenceEqual(expected)), $"{string.Join('|', expected)} is not in the export:\n{csv}");
        }
        Assert.Contains(records, r => r.SequenceEqual(["Machines", "Machine one", "93.1 %", "100.0 %", "90.0 %", "83.8 %", "10.00 %", "202.5 min", "15.0 min", "2",
            "435.0 min", "405.0 min", "4,050", "3,645"]));
    }

    /// <summary>The fields of one CSV line (RFC 4180 quoting).</summary>
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return fields;
    }

    [Fact]
    public async Task KpiPages_Operator_IsRefusedAndSeesNoKpiMenu()
    {
        await SignInAsync("operator@cityops.local");
        await Expect(_page.GetByRole(AriaRole.Link, new() { Name = "KPI · Plant" })).ToHaveCountAsync(0);

        await _page.GotoAsync("/kpi/plant");

        await Expect(_page).ToHaveURLAsync(new Regex("/account/access-denied|/account/login", RegexOptions.IgnoreCase));
        var export = await _page.APIRequest.GetAsync("/kpi/export/plant.csv", new() { MaxRedirects = 0 });
        Assert.NotEqual(200, export.Status);
    }
}
