using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Components;

namespace CityOps.Web.Features.ControlRoom;

/// <summary>
/// The city at a glance: every asset with sensors on a map, coloured only when it needs attention,
/// the worst first in the side list. Re-renders at the live store's cadence; the map receives only the
/// markers whose state changed.
/// </summary>
public sealed partial class ControlRoom : IDisposable
{
    private const int MaxAttentionRows = 12;
    private readonly CancellationTokenSource _disposed = new();
    private ScreenWorld? _world;
    private IReadOnlyList<AssetRowModel> _rows = [];
    private IReadOnlyList<MapMarker> _markers = [];
    private Dictionary<int, string> _groupNames = [];
    private IDisposable? _subscription;
    private IDisposable? _alarmSubscription;
    private int _siteId;
    private int? _focus;
    private string? _filter;

    [Inject] public required LiveStore Live { get; init; }

    [Inject] public required IScreenDirectory Directory { get; init; }

    [Inject] public required AlarmBoard Alarms { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [Inject] public required IWebHostEnvironment Environment { get; init; }

    internal sealed record AssetRowModel(ScreenAsset Asset, LiveState State, AlarmPriority? Alarm);

    protected override async Task OnInitializedAsync()
    {
        _world = await Directory.LoadAsync(cancellationToken: _disposed.Token);
        _groupNames = _world.Assets.ToDictionary(a => a.Id, a => a.Name);
        _siteId = _world.Sites.FirstOrDefault(s => s.Kind == CityOps.Analytics.SiteKind.City)?.Id ?? _world.Sites.FirstOrDefault()?.Id ?? 0;
        Refresh();
        _subscription = Live.Subscribe(() => _ = InvokeAsync(OnLiveChanged));
        _alarmSubscription = Alarms.Subscribe(() => InvokeAsync(OnLiveChanged));
    }

    private void OnLiveChanged()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        Refresh();
        StateHasChanged();
    }

    private void Refresh()
    {
        if (_world is null)
        {
            return;
        }
        _rows = _world.Assets
            .Where(a => a.Sensors.Count > 0)
            .Select(a => new AssetRowModel(a, Live.GetAsset(a.Id).Worst, AlarmStyle.Worst(Alarms.ForAsset(a.Key))))
            .ToList();
        _markers = _rows
            .Where(r => r.Asset.SiteId == _siteId)
            .Select(r => new MapMarker(r.Asset.Id, r.Asset.Key, r.Asset.Name, r.Asset.Latitude, r.Asset.Longitude, r.State, r.Alarm))
            .ToList();
    }

    private void SelectSite(int siteId)
    {
        _siteId = siteId;
        _focus = null;
        Refresh();
    }

    private void ShowOnMap(ScreenAsset asset)
    {
        if (asset.SiteId != _siteId)
        {
            SelectSite(asset.SiteId);
        }
        _focus = asset.Id;
    }

    private void OpenAsset(int assetId)
    {
        if (_world?.Assets.FirstOrDefault(a => a.Id == assetId) is { } asset)
        {
            Navigation.NavigateTo($"/assets/{asset.Key}");
        }
    }

    private IEnumerable<IGrouping<string, AssetRowModel>> SiteGroups(ScreenSite site) => _rows
        .Where(r => r.Asset.SiteId == site.Id)
        .Where(r => string.IsNullOrWhiteSpace(_filter) || r.Asset.Name.Contains(_filter.Trim(), StringComparison.OrdinalIgnoreCase))
        .OrderBy(r => r.Asset.Name, StringComparer.CurrentCulture)
        .GroupBy(r => r.Asset.ParentId is { } p && _groupNames.TryGetValue(p, out var name) ? name : site.Name)
        .OrderBy(g => g.Key, StringComparer.CurrentCulture);

    private MapView ViewOf(ScreenSite site)
    {
        var baseMap = $"maps/{site.Key}.geojson";
        return new MapView(site.Latitude, site.Longitude, site.Zoom, Environment.WebRootFileProvider.GetFileInfo(baseMap).Exists ? baseMap : null);
    }

    internal static string StateDotClass(LiveState state) => $"cityops-dot cityops-marker--{LiveStateStyle.Name(state)}";

    private static string SiteText(GroupLiveStatus status) => status switch
    {
        { Total: 0 } => "No sensors",
        { Offline: > 0 } s => $"{s.Offline} offline",
        { Abnormal: > 0 } s => $"{s.Abnormal} abnormal",
        { Stale: > 0 } s => $"{s.Stale} stale",
        _ => "Normal",
    };

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    public void Dispose()
    {
        _subscription?.Dispose();
        _alarmSubscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
