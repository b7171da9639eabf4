using CityOps.Web.Features.Actions;
using Bunit;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Alerts.Evidence;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Plant;
using CityOps.Web.Features.SensorDetail;
using CityOps.Web.Tests.ControlRoom;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Alerts;

/// <summary>
/// What the alarm screens need: the test plant, a real alarm board on the test clock, a signed-in operator, the
/// real operations service (without a database) and the dialogs/snackbars (the providers render first, as in MainLayout).
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
        // No database here: what the screens read from it (history, rationalisation) fails the way an outage does.
        var unreachable = new PooledDbContextFactory<CityOpsDbContext>(
            new DbContextOptionsBuilder<CityOpsDbContext>().UseNpgsql("Host=127.0.0.1;Port=9;Database=none;Username=none;Password=none;Timeout=1").Options);
        Services.AddSingleton<IDbContextFactory<CityOpsDbContext>>(unreachable);
        Services.AddSingleton(new AuditLog(World.Clock));
        Services.AddSingleton(new AlarmWriteGate());
        Services.AddSingleton(Options.Create(new AlertOptions()));
        Services.AddSingleton<AlarmOperations>();
        Services.AddScoped<AlarmCommands>();
        Services.AddSingleton<IScreenDirectory>(new FakeScreenDirectory(World.World));
        var history = new EmptyHistory();
        Services.AddSingleton<ISensorHistory>(history);
        Evidence = new TestEvidence(new AlarmEvidenceService(unreachable, history, World.Clock));
        Services.AddSingleton<IAlarmEvidence>(Evidence);
        Services.AddOptions<MapOptions>();
        Services.AddSingleton<IWebHostEnvironment>(new NoFilesEnvironment());
        Services.AddSingleton<IPlantLayouts>(new GeneratedLayouts());
        // The suggested-actions feature has its own tests; here only its place on the alarm screens matters.
        ComponentFactories.AddStub<SuggestedActions>();
        ComponentFactories.AddStub<PendingActions>();
        AddAuthorization().SetAuthorized("operator@cityops.local");
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Render<MudPopoverProvider>();
    }

    protected ScreenTestWorld World { get; } = new();

    protected AlarmTestBoard Alarms { get; }

    /// <summary>The real evidence service (failing without a database) unless a test sets <see cref="TestEvidence.Fixed"/>.</summary>
    protected TestEvidence Evidence { get; }

    protected sealed class TestEvidence(IAlarmEvidence real) : IAlarmEvidence
    {
        public AlarmEvidence? Fixed { get; set; }

        public Task<AlarmEvidence?> BuildAsync(AlarmView alarm, ScreenWorld world, CancellationToken cancellationToken) =>
            Fixed is { } fixedEvidence ? Task.FromResult<AlarmEvidence?>(fixedEvidence) : real.BuildAsync(alarm, world, cancellationToken);
    }

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
