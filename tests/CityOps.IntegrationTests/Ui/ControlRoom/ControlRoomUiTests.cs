using System.Globalization;
using System.Text.RegularExpressions;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using NpgsqlTypes;
using static Microsoft.Playwright.Assertions;

namespace CityOps.IntegrationTests.Ui.ControlRoom;

public class ControlRoomUiTests(ControlRoomUiFixture fixture) : IClassFixture<ControlRoomUiFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<string> _foreignRequests = [];
    private readonly List<string> _failedResponses = [];
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    private string BaseUrl => fixture.App.BaseUrl;

    public async ValueTask InitializeAsync()
    {
        _context = await fixture.Browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
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
        _page.Response += (_, response) =>
        {
            // The app has no favicon; browsers ask for one regardless.
            if (response.Status >= 400 && !response.Url.EndsWith("/favicon.ico", StringComparison.Ordinal))
            {
                _failedResponses.Add($"{response.Status} {response.Url}");
            }
        };
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private async Task SignInAsync(string returnTo)
    {
        await _page.GotoAsync(returnTo);
        await Expect(_page).ToHaveURLAsync(new Regex("/account/login"));
        await _page.Locator("#email").FillAsync("operator@cityops.local");
        await _page.Locator("#password").FillAsync(AccountsSeeder.DefaultDemoPassword);
        await _page.GetByTestId("sign-in").ClickAsync();
        await Expect(_page).ToHaveURLAsync(BaseUrl + returnTo);
        // The app bar's buttons are enabled once the circuit is up: from then on clicks are handled by the page.
        await Expect(_page.GetByTestId("theme-toggle")).ToBeEnabledAsync();
    }

    private SensorInfo Sensor(string key)
    {
        Assert.True(fixture.App.Services.GetRequiredService<SensorCatalog>().TryGet(key, out var sensor));
        return sensor;
    }

    /// <summary>Readings of the sensor every 200 ms, as the ingest writer hands them to the live store, until cancelled.</summary>
    private Task FeedAsync(SensorInfo sensor, CancellationToken stop)
    {
        var observers = fixture.App.Services.GetServices<IReadingsObserver>().ToList();
        return Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (var observer in observers)
                {
                    observer.OnCommitted([new(sensor.Id, DateTime.UtcNow, 60 + i++ % 10)]);
                }
                await Task.Delay(200, CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    [Fact]
    public async Task ControlRoom_OperatorSignsIn_SeesTheAssetsAsMarkersOnTheMap()
    {
        await SignInAsync("/control-room");

        var map = _page.GetByTestId("control-room-map");
        await Expect(map).ToHaveAttributeAsync("data-markers", "1");
        await Expect(map.Locator(".cityops-marker")).ToHaveCountAsync(1);
        await Expect(_page.Locator("[data-asset-key='tcity.north.x1']").First).ToContainTextAsync("Crossing 1");
        Assert.Empty(_foreignRequests);
    }

    [Fact]
    public async Task ControlRoom_MarkerClicked_OpensTheAssetDetail()
    {
        await SignInAsync("/control-room");

        await _page.GetByTestId("control-room-map").Locator(".cityops-marker").ClickAsync();

        await Expect(_page).ToHaveURLAsync(BaseUrl + "/assets/tcity.north.x1");
        await Expect(_page.Locator("h1")).ToHaveTextAsync("Crossing 1");
    }

    [Fact]
    public async Task Plant_MachineOpened_LiveChartAdvancesAndHistorySwitchesTo24Hours()
    {
        var temperature = Sensor("tplant.line1.press.temp");
        using var feeding = new CancellationTokenSource();
        var feed = FeedAsync(temperature, feeding.Token);
        try
        {
            await SignInAsync("/plant/tplant");
            var machine = _page.Locator("[data-machine-key='tplant.line1.press']");
            await Expect(machine).ToBeVisibleAsync();
            await machine.ClickAsync();
            await Expect(_page).ToHaveURLAsync(BaseUrl + "/assets/tplant.line1.press");

            var chart = _page.Locator("[data-testid='live-trend'][data-sensor-key='tplant.line1.press.temp']");
            await Expect(chart.Locator("canvas")).ToBeVisibleAsync();
            await Expect(chart).ToHaveAttributeAsync("data-last-ts", new Regex(@"^\d+"));
            var first = double.Parse((await chart.GetAttributeAsync("data-last-ts"))!, CultureInfo.InvariantCulture);
            await Wait.UntilAsync(
                async () => double.TryParse(await chart.GetAttributeAsync("data-last-ts"), CultureInfo.InvariantCulture, out var last) && last > first,
                Patience, "the live chart to append newer readings");

            await _page.GetByTestId("range-24h").ClickAsync();
            await Expect(_page.GetByTestId("history-trend")).ToHaveAttributeAsync("data-range", "24h");
            await Expect(_page.GetByTestId("range-24h")).ToHaveAttributeAsync("aria-pressed", "true");
            await Expect(_page.GetByTestId("history-caption")).ToContainTextAsync(new Regex("points|No readings"));
            Assert.Empty(_foreignRequests);
            Assert.Empty(_failedResponses);
        }
        finally
        {
            await feeding.CancelAsync();
            await feed;
        }
    }

    /// <summary>
    /// Not a pass/fail check of speed (wall clock depends on the machine): renders a day of 1-second readings
    /// (86,400 points) in the history chart and writes how long the browser took, for the record.
    /// </summary>
    [Fact]
    public async Task HistoryChart_DayOfSecondReadings_DrawsEveryPointAndLogsTheRenderTime()
    {
        var occupancy = Sensor("tcity.north.x1.occupancy");
        var end = DateTime.UtcNow;
        var start = end.AddDays(-1).AddSeconds(1);
        await InsertReadingsAsync(occupancy.Id, start, 86_400);

        await SignInAsync("/assets/tcity.north.x1?sensor=tcity.north.x1.occupancy");
        await Expect(_page.GetByTestId("history-trend")).ToHaveAttributeAsync("data-points", new Regex(@"^\d+$"));
        await _page.GetByTestId("range-24h").ClickAsync();

        // The range ends when the button is clicked, a few seconds after the newest inserted reading's start:
        // all but the first few seconds of the day are in it.
        var history = _page.GetByTestId("history-trend");
        await Expect(history).ToHaveAttributeAsync("data-range", "24h");
        await Expect(history).ToHaveAttributeAsync("data-points", new Regex(@"^86[0-9]{3}$"), new() { Timeout = 60_000 });
        var points = await history.GetAttributeAsync("data-points");
        var ms = await history.GetAttributeAsync("data-render-ms");
        var timings = await _page.EvaluateAsync<string>("JSON.stringify(window.cityopsChartTimings)");
        TestContext.Current.TestOutputHelper?.WriteLine($"History chart: {points} points rendered in {ms} ms (all draws: {timings})");
        TestContext.Current.SendDiagnosticMessage($"History chart: {points} points rendered in {ms} ms");
        if (Environment.GetEnvironmentVariable("CITYOPS_CHART_TIMINGS") is { Length: > 0 } file)
        {
            await File.AppendAllTextAsync(file, $"{DateTime.UtcNow:O} {points} points {ms} ms {timings}{Environment.NewLine}", TestContext.Current.CancellationToken);
        }
        Assert.True(double.Parse(ms!, CultureInfo.InvariantCulture) > 0);
    }

    private async Task InsertReadingsAsync(int sensorId, DateTime start, int seconds)
    {
        var database = fixture.App.Services.GetRequiredService<ReadingsDatabase>();
        var partitions = fixture.App.Services.GetRequiredService<ReadingsPartitions>();
        await using var connection = await database.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await partitions.EnsureAsync(connection, start, start.AddSeconds(seconds), TestContext.Current.CancellationToken);
        await using var writer = await connection.BeginBinaryImportAsync("COPY readings (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)", TestContext.Current.CancellationToken);
        for (var i = 0; i < seconds; i++)
        {
            await writer.StartRowAsync(TestContext.Current.CancellationToken);
            await writer.WriteAsync(sensorId, NpgsqlDbType.Integer, TestContext.Current.CancellationToken);
            await writer.WriteAsync(start.AddSeconds(i), NpgsqlDbType.TimestampTz, TestContext.Current.CancellationToken);
            await writer.WriteAsync(40 + 20 * Math.Sin(i / 600.0) + i % 7, NpgsqlDbType.Double, TestContext.Current.CancellationToken);
        }
        await writer.CompleteAsync(TestContext.Current.CancellationToken);
    }
}
