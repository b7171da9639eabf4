using Bunit;
using CityOps.Web.Features.Administration.Assets;
using CityOps.Web.Features.ControlRoom;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using CityOps.Web.Tests.Fakes;
using Microsoft.JSInterop;

namespace CityOps.Web.Tests.Administration;

/// <summary>
/// The picker's map is made in the browser after two round trips (load the module, create the map). An administrator can
/// leave the form in between (choose another node, press "Add asset", close a dialog); the picker must then neither make a
/// map in an element that has left the page (Leaflet throws, which ends the circuit) nor leave a map behind.
/// </summary>
public class LocationPickerTests : BunitContext
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ModuleLoader _browser = new();

    public LocationPickerTests()
    {
        Services.AddSingleton(Options.Create(new MapOptions()));
        // Replaces bUnit's JS interop, which answers module imports at once: here the test decides when the module has loaded.
        Services.AddSingleton<IJSRuntime>(_browser);
    }

    private IRenderedComponent<LocationPicker> RenderPicker() =>
        Render<LocationPicker>(p => p.Add(l => l.Latitude, 48.14).Add(l => l.Longitude, 11.58)
            .Add(l => l.CenterLatitude, 48.14).Add(l => l.CenterLongitude, 11.58));

    [Fact]
    public async Task OnAfterRender_RemovedWhileTheModuleLoads_NeverCreatesTheMap()
    {
        var module = new RecordingJSObject();
        RenderPicker();

        await DisposeComponentsAsync();
        _browser.Import.SetResult(module);

        Assert.Equal("DisposeAsync", await module.FirstCall.WaitAsync(Patience, Xunit.TestContext.Current.CancellationToken));
        Assert.DoesNotContain("create", module.Calls);
    }

    [Fact]
    public async Task OnAfterRender_RemovedWhileTheMapIsCreated_RemovesTheMapOnceMade()
    {
        var module = new RecordingJSObject { Create = new TaskCompletionSource<IJSObjectReference?>() };
        _browser.Import.SetResult(module);
        RenderPicker();
        Assert.Equal("create", await module.FirstCall.WaitAsync(Patience, Xunit.TestContext.Current.CancellationToken));

        await DisposeComponentsAsync();
        var map = new RecordingJSObject();
        module.Create.SetResult(map);

        Assert.Equal("dispose", await map.FirstCall.WaitAsync(Patience, Xunit.TestContext.Current.CancellationToken));
        await map.Disposed.Task.WaitAsync(Patience, Xunit.TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task DisposeAsync_MapShown_RemovesTheMapAndTheModule()
    {
        var map = new RecordingJSObject();
        var module = new RecordingJSObject { Create = new TaskCompletionSource<IJSObjectReference?>() };
        module.Create.SetResult(map);
        _browser.Import.SetResult(module);
        RenderPicker();
        Assert.Equal("create", await module.FirstCall.WaitAsync(Patience, Xunit.TestContext.Current.CancellationToken));

        await DisposeComponentsAsync();

        Assert.Equal(["dispose", "DisposeAsync"], map.Calls);
        Assert.Equal(["create", "DisposeAsync"], module.Calls);
    }

    /// <summary>The browser's side of <see cref="IJSRuntime"/>: only imports the picker's module, when <see cref="Import"/> completes.</summary>
    private sealed class ModuleLoader : IJSRuntime
    {
        public TaskCompletionSource<IJSObjectReference> Import { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args)
        {
            Assert.Equal(("import", LocationPicker.ModulePath), (identifier, args?.SingleOrDefault() as string));
            return (TValue)(object)await Import.Task;
        }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            InvokeAsync<TValue>(identifier, args);
    }
}
