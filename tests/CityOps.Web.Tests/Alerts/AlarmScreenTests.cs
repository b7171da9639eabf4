using Bunit;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Plant;
using CityOps.Web.Features.SensorDetail;
using CityOps.Web.Tests.ControlRoom;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Alerts;

/// <summary>
/// What the alarm screens need: the test plant, a real alarm board on the test clock, a signed-in operator, the
/// operations service and the dialogs/snackbars (the providers render first, as in MainLayout).
/// </summary>
public abstract class AlarmScreenTests : BunitContext
{
    protected AlarmScreenTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Alarms = new AlarmTestBoard(World.Clock);
        Services.AddSingleton(World.Store);
        Services.AddSingleton<TimeProvider>(World.Clock);
        Services.AddSingleton(Alarms.Board);
        Services.AddSingleton(new AlarmOperations());
        Services.AddScoped<AlarmCommands>();
        Services.AddSingleton<IScreenDirectory>(new FakeScreenDirectory(World.World));
        Services.AddSingleton<ISensorHistory>(new EmptyHistory());
        Services.AddSingleton(Options.Create(new MapOptions()));
        Services.AddSingleton<IWebHostEnvironment>(new NoFilesEnvironment());
        Services.AddSingleton<IPlantLayouts>(new GeneratedLayouts());
        AddAuthorization().SetAuthorized("operator@cityops.local");
        Render<MudPopoverProvider>();
    }

    protected ScreenTestWorld World { get; } = new();

    protected AlarmTestBoard Alarms { get; }

    private sealed class EmptyHistory : ISensorHistory
    {
        public Task<HistorySeries> ReadAsync(int sensorId, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken = default) =>
            Task.FromResult(new HistorySeries(HistoryResolution.Raw, TrendSeries.Empty));
    }

    private sealed class GeneratedLayouts : IPlantLayouts
    {
        public PlantLayout For(ScreenSite site, ScreenWorld world) => PlantLayouts.Generate(site, world);
    }

    private sealed class NoFilesEnvironment : IWebHostEnvironment
    {
        public string WebRootPath { get; set; } = "";
        public IFileProvider WebRootFileProvider { get; set; } = new NullFileProvider();
        public string ApplicationName { get; set; } = "CityOps.Web";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
        public string ContentRootPath { get; set; } = "";
        public string EnvironmentName { get; set; } = "Test";
    }
}
