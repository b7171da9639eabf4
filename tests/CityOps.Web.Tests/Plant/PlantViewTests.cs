using Bunit;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Plant;
using CityOps.Web.Tests.Alerts;
using CityOps.Web.Tests.ControlRoom;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Plant;

public class PlantViewTests : BunitContext
{
    private readonly ScreenTestWorld _world = new();

    public PlantViewTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(_world.Store);
        Services.AddSingleton<TimeProvider>(_world.Clock);
        Services.AddSingleton(new AlarmTestBoard(_world.Clock).Board);
        Services.AddSingleton<IScreenDirectory>(new FakeScreenDirectory(_world.World));
        Services.AddSingleton<IPlantLayouts>(new GeneratedLayouts());
    }

    private sealed class GeneratedLayouts : IPlantLayouts
    {
        public PlantLayout For(ScreenSite site, ScreenWorld world) => PlantLayouts.Generate(site, world);
    }

    private IRenderedComponent<PlantView> RenderPlant() => Render<PlantView>(p => p.Add(v => v.SiteKey, "tplant"));

    [Fact]
    public void Generate_SiteWithoutLayoutFile_PlacesEachLinesMachinesInARow()
    {
        var layout = PlantLayouts.Generate(_world.Site, _world.World);

        var line = Assert.Single(layout.Lines);
        Assert.Equal("tplant.line1", line.Key);
        Assert.Equal("tplant.line1.press", Assert.Single(line.Machines).Key);
        Assert.Equal(["motor_temp", "vibration", "current"], layout.Values);
    }

    [Fact]
    public void Render_ReadingsArrive_MachineShowsValuesWithUnitsAndStaysGrey()
    {
        var cut = RenderPlant();

        _world.Feed(temperature: 71.5, vibration: 2.5);

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("71.5 °C", cut.Find("[data-sensor-key='tplant.line1.press.motor_temp']").TextContent);
            Assert.Equal("2.5 mm/s", cut.Find("[data-sensor-key='tplant.line1.press.vibration']").TextContent);
            var machine = cut.Find("[data-machine-key='tplant.line1.press']");
            Assert.Equal("normal", machine.GetAttribute("data-state"));
            Assert.DoesNotContain("attention", machine.GetAttribute("class"));
            Assert.Equal("/assets/tplant.line1.press", machine.GetAttribute("href"));
        });
    }

    [Fact]
    public void Render_ValueNearItsLimit_MachineIsMarkedAbnormal()
    {
        var cut = RenderPlant();

        _world.Feed(temperature: 149.8);

        cut.WaitForAssertion(() =>
        {
            var machine = cut.Find("[data-machine-key='tplant.line1.press']");
            Assert.Equal("abnormal", machine.GetAttribute("data-state"));
            Assert.Contains("cityops-plant-machine--attention", machine.GetAttribute("class"));
            Assert.Contains("Abnormal", machine.TextContent);
        });
    }

    [Fact]
    public void Render_UnknownSite_SaysSo()
    {
        var cut = Render<PlantView>(p => p.Add(v => v.SiteKey, "nowhere"));

        Assert.Contains("There is no plant 'nowhere'", cut.Find("[data-testid='plant-missing']").TextContent);
    }

    [Fact]
    public void Sparkline_RisingValues_RunsLeftToRightAndUpwards()
    {
        var t = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);
        var points = PlantView.Sparkline([(t, 1), (t.AddSeconds(5), 2), (t.AddSeconds(10), 3)], x: 0, y: 100)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(',').Select(double.Parse).ToArray())
            .ToList();

        Assert.Equal([0, 47.5, 95], points.Select(p => p[0]));
        Assert.Equal([100, 89, 78], points.Select(p => p[1]));
    }
}
