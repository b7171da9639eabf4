using CityOps.Web.Components;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.ControlRoom;

/// <summary>
/// The Leaflet map of a site with its assets as markers. The whole marker set is sent once; afterwards
/// only markers whose state changed are sent, so a busy city costs a few bytes per update.
/// </summary>
public sealed partial class ControlRoomMap : IAsyncDisposable
{
    internal const string ModulePath = "./js/control-room-map.js";
    private readonly Dictionary<int, MapMarker> _sent = [];
    private ElementReference _element;
    private IJSObjectReference? _module;
    private IJSObjectReference? _map;
    private DotNetObjectReference<ControlRoomMap>? _self;
    private MapView? _shownView;
    private int? _focused;
    private bool _disposed;
    private bool _syncing;
    private bool _dirty;

    [Inject] public required IJSRuntime JS { get; init; }

    [Inject] public required IOptionsMonitor<MapOptions> Options { get; init; }

    [Parameter, EditorRequired] public required MapView View { get; set; }

    [Parameter, EditorRequired] public required IReadOnlyList<MapMarker> Markers { get; set; }

    /// <summary>Called with the asset id when an operator clicks a marker.</summary>
    [Parameter] public EventCallback<int> OnSelect { get; set; }

    /// <summary>An asset to bring into view (zooming into its cluster).</summary>
    [Parameter] public int? Focus { get; set; }

    [Parameter] public string AriaLabel { get; set; } = "Map of assets";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Renders may come faster than the browser answers: one sync runs at a time and picks up the latest.
        if (_syncing)
        {
            _dirty = true;
            return;
        }
        _syncing = true;
        try
        {
            do
            {
                _dirty = false;
                await SyncAsync();
            }
            while (_dirty && !_disposed);
        }
        finally
        {
            _syncing = false;
        }
    }

    private async Task SyncAsync()
    {
        if (_module is null)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", ModulePath);
            _self = DotNetObjectReference.Create(this);
        }
        if (_disposed)
        {
            return;
        }
        if (_map is null || _shownView != View)
        {
            await CreateMapAsync();
        }
        else
        {
            await SendChangesAsync();
        }
        if (Focus is { } focus && focus != _focused && _map is not null)
        {
            _focused = focus;
            await _map.InvokeVoidAsync("focus", focus);
        }
    }

    private async Task CreateMapAsync()
    {
        var previous = _map;
        _map = null;
        await BrowserObjects.ReleaseAsync(previous, removeFromPage: true);
        var tiles = Options.CurrentValue;
        var options = new
        {
            latitude = View.Latitude,
            longitude = View.Longitude,
            zoom = View.Zoom,
            baseMapUrl = View.BaseMapUrl,
            tileUrl = tiles.TileUrl,
            tileAttribution = tiles.TileAttribution,
            severity = LiveStateStyle.All.ToDictionary(LiveStateStyle.Name, s => (int)s),
            colours = LiveStateStyle.All.ToDictionary(LiveStateStyle.Name, LiveStateStyle.Colour),
        };
        // Null when the map left the page while the call was on its way.
        var map = await _module!.InvokeAsync<IJSObjectReference?>("create", _element, options, _self);
        if (map is null)
        {
            return;
        }
        if (_disposed)
        {
            // Disposed while the map was being made: nobody else will remove it.
            await BrowserObjects.ReleaseAsync(map, removeFromPage: true);
            return;
        }
        _map = map;
        _shownView = View;
        _sent.Clear();
        foreach (var m in Markers)
        {
            _sent[m.Id] = m;
        }
        await _map.InvokeVoidAsync("setMarkers", Markers.Select(MapMarkerData.From).ToList());
    }

    private async Task SendChangesAsync()
    {
        if (Markers.Count != _sent.Count || Markers.Any(m => !_sent.ContainsKey(m.Id)))
        {
            // Assets were added or removed: send the set again.
            _sent.Clear();
            foreach (var m in Markers)
            {
                _sent[m.Id] = m;
            }
            await _map!.InvokeVoidAsync("setMarkers", Markers.Select(MapMarkerData.From).ToList());
            return;
        }
        var changed = Markers.Where(m => _sent[m.Id].State != m.State || _sent[m.Id].Alarm != m.Alarm).ToList();
        if (changed.Count == 0)
        {
            return;
        }
        foreach (var m in changed)
        {
            _sent[m.Id] = m;
        }
        await _map!.InvokeVoidAsync("updateStates", changed.Select(MapMarkerData.From).ToList());
    }

    [JSInvokable]
    public Task SelectAsset(int assetId) => OnSelect.InvokeAsync(assetId);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        var (map, module) = (_map, _module);
        (_map, _module) = (null, null);
        await BrowserObjects.ReleaseAsync(map, removeFromPage: true);
        await BrowserObjects.ReleaseAsync(module);
        _self?.Dispose();
    }
}
