using CityOps.Web.Components;
using CityOps.Web.Features.ControlRoom;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>
/// A Leaflet map to pick a location by clicking, next to the latitude and longitude fields it fills. Uses the map
/// tiles configured in <see cref="MapOptions"/> and the site's offline base map when there is one.
/// </summary>
public sealed partial class LocationPicker : IAsyncDisposable
{
    internal const string ModulePath = "./js/location-picker.js";
    private ElementReference _element;
    private IJSObjectReference? _module;
    private IJSObjectReference? _map;
    private DotNetObjectReference<LocationPicker>? _self;
    private (double?, double?) _shown;
    private bool _disposed;

    [Inject] public required IJSRuntime JS { get; init; }

    [Inject] public required IOptions<MapOptions> Options { get; init; }

    /// <summary>The marker's position; null shows no marker.</summary>
    [Parameter] public double? Latitude { get; set; }

    [Parameter] public double? Longitude { get; set; }

    /// <summary>Where the map opens when there is no marker yet (the site's centre).</summary>
    [Parameter, EditorRequired] public required double CenterLatitude { get; set; }

    [Parameter, EditorRequired] public required double CenterLongitude { get; set; }

    [Parameter] public int Zoom { get; set; } = 13;

    /// <summary>The site's offline base map (GeoJSON), if it has one.</summary>
    [Parameter] public string? BaseMapUrl { get; set; }

    [Parameter] public int Height { get; set; } = 260;

    /// <summary>Called with the clicked latitude and longitude.</summary>
    [Parameter] public EventCallback<(double Latitude, double Longitude)> OnPick { get; set; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_disposed)
        {
            return;
        }
        if (firstRender)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            // The picker may be gone while its script loaded (the administrator chose something else, a dialog closed): its
            // element is then out of the page, and Leaflet throwing on the missing container would end the whole circuit.
            if (_disposed)
            {
                await ReleaseAsync();
                return;
            }
            _self = DotNetObjectReference.Create(this);
            var options = new
            {
                latitude = Latitude ?? CenterLatitude,
                longitude = Longitude ?? CenterLongitude,
                zoom = Zoom,
                markerLatitude = Latitude,
                markerLongitude = Longitude,
                tileUrl = Options.Value.TileUrl,
                tileAttribution = Options.Value.TileAttribution,
                baseMapUrl = BaseMapUrl,
            };
            _map = await _module.InvokeAsync<IJSObjectReference?>("create", _element, options, _self);
            _shown = (Latitude, Longitude);
            if (_disposed)
            {
                // Disposed while the map was being made: nobody else will remove it.
                await ReleaseAsync();
            }
            return;
        }
        if (_map is not null && _shown != (Latitude, Longitude))
        {
            _shown = (Latitude, Longitude);
            await _map.InvokeVoidAsync("setMarker", Latitude, Longitude);
        }
    }

    [JSInvokable]
    public Task Pick(double latitude, double longitude)
    {
        _shown = (latitude, longitude);
        return OnPick.InvokeAsync((latitude, longitude));
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        await ReleaseAsync();
        _self?.Dispose();
    }

    /// <summary>Removes the map and the module from the browser, once, whichever of disposal and first render gets there first.</summary>
    private async Task ReleaseAsync()
    {
        var (map, module) = (_map, _module);
        (_map, _module) = (null, null);
        await BrowserObjects.ReleaseAsync(map, removeFromPage: true);
        await BrowserObjects.ReleaseAsync(module);
    }
}
