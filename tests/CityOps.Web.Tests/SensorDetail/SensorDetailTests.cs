using System.Runtime.InteropServices;
using Bunit;
using CityOps.Web.Features.Live;
using CityOps.Web.Features.SensorDetail;
using CityOps.Web.Tests.Alerts;
using CityOps.Web.Tests.ControlRoom;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace CityOps.Web.Tests.SensorDetail;

public class SensorDetailTests : BunitContext
{
    private readonly ScreenTestWorld _world = new();
    private readonly BunitJSModuleInterop _chart;

    public SensorDetailTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(_world.Store);
        Services.AddSingleton<TimeProvider>(_world.Clock);
        Services.AddSingleton(new AlarmTestBoard(_world.Clock).Board);
        var module = JSInterop.SetupModule(TrendChart.ModulePath);
        _chart = module.SetupModule(invocation => invocation.Identifier == "create");
    }

    private IRenderedComponent<SensorStatus> RenderStatus() =>
        Render<SensorStatus>(p => p.Add(s => s.Sensor, _world.Temperature).Add(s => s.TimeZone, _world.Site.TimeZone));

    private static double[] Unpack(object? packed)
    {
        var bytes = Assert.IsType<byte[]>(packed);
        return MemoryMarshal.Cast<byte, double>(bytes).ToArray();
    }

    [Fact]
    public void SensorStatus_NoReadings_ShowsOfflineWithTheReason()
    {
        var cut = RenderStatus();

        Assert.Equal("– °C", cut.Find("[data-testid='sensor-value']").TextContent.Trim());
        Assert.Contains("Offline · No readings yet", cut.Find("[data-testid='sensor-state']").TextContent);
        Assert.Equal("-20 – 150 °C", cut.Find("[data-testid='sensor-range']").TextContent.Trim());
    }

    [Fact]
    public void SensorStatus_ReadingArrives_ShowsValueWithUnitInTheSiteTimeZone()
    {
        var cut = RenderStatus();

        _world.Feed(temperature: 71.5);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("71.5 °C", cut.Find("[data-testid='sensor-value']").TextContent.Trim());
            Assert.Equal("normal", cut.Find(".cityops-sensorstatus").GetAttribute("data-state"));
            // 12:00 UTC is 13:00 in Berlin in November.
            Assert.Equal("13:00:00 UTC+01:00", cut.Find("[data-testid='sensor-last-time']").TextContent.Trim());
        });
    }

    [Fact]
    public void SensorStatus_ValueNearItsLimit_ShowsAbnormalWithTheQualityIssue()
    {
        var cut = RenderStatus();

        _world.Feed(temperature: 149.5);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("abnormal", cut.Find(".cityops-sensorstatus").GetAttribute("data-state"));
            Assert.Contains("Abnormal · Near its upper limit", cut.Find("[data-testid='sensor-state']").TextContent);
            Assert.Contains("var(--mud-palette-warning)", cut.Find("[data-testid='sensor-value']").GetAttribute("style"));
        });
    }

    [Fact]
    public void LiveTrend_Rendered_CreatesTheChartWithTheStoredHistoryAndUnit()
    {
        // The store keeps one point per 5 seconds.
        _world.Feed(60);
        _world.Clock.Advance(TimeSpan.FromSeconds(5));
        _world.Feed(61);

        Render<LiveTrend>(p => p.Add(t => t.Sensor, _world.Temperature).Add(t => t.Label, "Motor temperature").Add(t => t.TimeZone, _world.Site.TimeZone));

        var create = JSInterop.Invocations.Single(i => i.Identifier == "create");
        var options = create.Arguments[1]!;
        object? Option(string name) => options.GetType().GetProperty(name)!.GetValue(options);
        Assert.Equal(("°C", "Europe/Berlin", true), (Option("unit"), Option("timeZone"), Option("band")));
        var packed = Unpack(create.Arguments[2]);
        Assert.Equal(2, packed[0]);
        Assert.Equal([60, 61], packed[4..6]);
    }

    [Fact]
    public void LiveTrend_ReadingArrives_AppendsOnlyTheNewPoint()
    {
        _world.Feed(60);
        Render<LiveTrend>(p => p.Add(t => t.Sensor, _world.Temperature).Add(t => t.Label, "Motor temperature").Add(t => t.TimeZone, _world.Site.TimeZone));

        _world.Feed(64);

        var append = _chart.VerifyInvoke("append");
        var packed = Unpack(append.Arguments[0]);
        Assert.Equal(1, packed[0]);
        Assert.Equal(64, packed[3]);
        Assert.Equal(LiveTrend.Window.TotalSeconds, append.Arguments[1]);
    }

    [Fact]
    public void WithMinuteBand_PointsInOneMinute_ShareTheMinutesMinAndMax()
    {
        var t = new DateTime(2026, 11, 27, 12, 0, 10, DateTimeKind.Utc);
        var series = LiveTrend.WithMinuteBand([(t, 5), (t.AddSeconds(10), 9), (t.AddSeconds(60), 1)], DateTime.MinValue);

        Assert.Equal([5, 5, 1], series.Min!);
        Assert.Equal([9, 9, 1], series.Max!);
    }

    [Fact]
    public void WithMinuteBand_AfterAPoint_ReturnsOnlyNewerPointsWithTheWholeMinutesBand()
    {
        var t = new DateTime(2026, 11, 27, 12, 0, 10, DateTimeKind.Utc);
        var series = LiveTrend.WithMinuteBand([(t, 5), (t.AddSeconds(10), 9)], after: t);

        Assert.Equal([9], series.Values);
        Assert.Equal([5], series.Min!);
    }

    [Fact]
    public void Pack_SeriesWithBand_IsCountColumnsThenEachColumn()
    {
        var series = new TrendSeries([100, 101], [1, 2], [0.5, 1.5], [1.5, 2.5]);

        Assert.Equal([2, 3, 100, 101, 1, 2, 0.5, 1.5, 1.5, 2.5], Unpack(series.Pack(withBand: true)));
        Assert.Equal([2, 1, 100, 101, 1, 2], Unpack(series.Pack(withBand: false)));
    }
}
