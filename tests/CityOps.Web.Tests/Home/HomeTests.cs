using Bunit;
using CityOps.Analytics;
using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using HomePage = CityOps.Web.Features.Home.Home;

namespace CityOps.Web.Tests.Home;

public class HomeTests : BunitContext
{
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new FakeSensorLookup().Add(1, siteId: 1).Add(2, siteId: 1).Add(3, siteId: 2);
    private readonly LiveStore _store;

    public HomeTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        _store = LiveStoreFactory.Create(_sensors, _clock);
        Services.AddSingleton(_store);
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton<ISiteDirectory>(new FakeSiteDirectory(
            new SiteSummary(1, "harbour", "Harbour City", SiteKind.City, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")),
            new SiteSummary(2, "plant1", "Press Plant", SiteKind.Plant, TimeZoneInfo.Utc)));
    }

    private static string Text(IRenderedComponent<HomePage> cut, string site, string field) =>
        cut.Find($"[data-site-key='{site}'] [data-testid='{field}']").TextContent.Trim();

    [Fact]
    public void Render_RegisteredSites_ShowsEachSiteWithKindAndSensorTotals()
    {
        var cut = Render<HomePage>();

        Assert.Contains("Harbour City", cut.Find("[data-site-key='harbour']").TextContent);
        Assert.Equal("City", Text(cut, "harbour", "site-kind"));
        Assert.Equal("Plant", Text(cut, "plant1", "site-kind"));
        Assert.Contains("of 2", cut.Find("[data-site-key='harbour']").TextContent);
        Assert.Equal("No readings yet", Text(cut, "harbour", "site-state"));
    }

    [Fact]
    public void Render_ReadingsArrive_CountsAndAgeUpdateWithoutReload()
    {
        var cut = Render<HomePage>();
        Assert.Equal("0", Text(cut, "harbour", "site-reporting"));
        

        _store.OnCommitted([new(1, _clock.GetUtcNow().UtcDateTime, 21.5), new(2, _clock.GetUtcNow().UtcDateTime, 22)]);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("2", Text(cut, "harbour", "site-reporting"));
            Assert.Equal("Reporting", Text(cut, "harbour", "site-state"));
            Assert.Equal("0 s ago", Text(cut, "harbour", "site-age"));
        });
        
        // 12:00:00 UTC is 13:00 in Berlin in November.
        Assert.Equal("13:00:00 UTC+01:00", Text(cut, "harbour", "site-last-time"));

        _clock.Advance(TimeSpan.FromSeconds(3));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("3 s ago", Text(cut, "harbour", "site-age"));
            // Two readings over the last ten seconds.
            Assert.Equal("0.2", Text(cut, "harbour", "site-rate"));
        });
    }

    [Fact]
    public void Render_SensorsFallSilent_SiteShowsHowManyNeedAttention()
    {
        var cut = Render<HomePage>();
        var now = _clock.GetUtcNow().UtcDateTime;
        _store.OnCommitted([new(1, now, 1), new(2, now, 1), new(3, now, 1)]);
        cut.WaitForAssertion(() => Assert.Contains("all reporting normally", cut.Find("[data-testid='sites-summary']").TextContent));

        // Sensor 1 keeps reporting; sensor 2 and the plant's sensor stop for longer than three 5 s intervals.
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(5));
            _store.OnCommitted([new(1, _clock.GetUtcNow().UtcDateTime, 1)]);
        }

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1 sensor silent", Text(cut, "harbour", "site-state"));
            Assert.Equal("Not reporting", Text(cut, "plant1", "site-state"));
            Assert.Contains("2 sites of 2 need attention", cut.Find("[data-testid='sites-summary']").TextContent);
        });
    }

    [Fact]
    public async Task Dispose_PageLeft_StopsListeningToTheStore()
    {
        var cut = Render<HomePage>();
        var renders = cut.RenderCount;

        await DisposeComponentsAsync();
        _store.OnCommitted([new(1, _clock.GetUtcNow().UtcDateTime, 1)]);
        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(renders, cut.RenderCount);
    }

    [Fact]
    public void Render_SiteWithoutSensors_ShownAsEmptyNotAsAProblem()
    {
        Services.AddSingleton<ISiteDirectory>(new FakeSiteDirectory(
            new SiteSummary(1, "harbour", "Harbour City", SiteKind.City, TimeZoneInfo.Utc),
            new SiteSummary(9, "empty", "Empty Site", SiteKind.Plant, TimeZoneInfo.Utc)));
        var now = _clock.GetUtcNow().UtcDateTime;
        _store.OnCommitted([new(1, now, 1), new(2, now, 1)]);

        var cut = Render<HomePage>();

        Assert.Equal("No sensors registered", Text(cut, "empty", "site-state"));
        Assert.Contains("all reporting normally", cut.Find("[data-testid='sites-summary']").TextContent);
    }
}
