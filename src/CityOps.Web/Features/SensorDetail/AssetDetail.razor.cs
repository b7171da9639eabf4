using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Components;

namespace CityOps.Web.Features.SensorDetail;

/// <summary>
/// One asset: per sensor its live value, state, data quality, valid range and a 15-minute live trend;
/// below, the history of the chosen sensor over 1 h, 24 h, 7 d, 30 d or a custom range.
/// </summary>
public sealed partial class AssetDetail : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private readonly CustomRange _custom = new();
    private ScreenAsset? _asset;
    private ScreenAsset? _parent;
    private ScreenSite? _site;
    private ScreenSensor? _selected;
    private IDisposable? _subscription;
    private IDisposable? _alarmSubscription;
    private HistoryRangeKind _range = HistoryRangeKind.Hour;
    private DateTime _from;
    private DateTime _to;
    private bool _loaded;
    private bool _customOpen;
    private string? _customError;

    [Inject] public required LiveStore Live { get; init; }

    [Inject] public required IScreenDirectory Directory { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required AlarmBoard Alarms { get; init; }

    [Parameter] public string AssetKey { get; set; } = "";

    /// <summary>The sensor whose history is shown first (<c>?sensor=plant1.line1.press1.vibration</c>).</summary>
    [SupplyParameterFromQuery(Name = "sensor")] public string? SensorKey { get; set; }

    internal sealed class CustomRange
    {
        public DateTime? From { get; set; }

        public DateTime? To { get; set; }
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loaded && _asset?.Key == AssetKey)
        {
            return;
        }
        _subscription?.Dispose();
        var world = await Directory.LoadAsync(cancellationToken: _disposed.Token);
        _asset = world.Assets.FirstOrDefault(a => a.Key == AssetKey);
        _loaded = true;
        if (_asset is null)
        {
            return;
        }
        _site = world.Site(_asset.SiteId);
        _parent = world.Assets.FirstOrDefault(a => a.Id == _asset.ParentId);
        _selected = _asset.Sensors.FirstOrDefault(s => s.Key == SensorKey) ?? _asset.Sensors.FirstOrDefault();
        SelectRange(HistoryRangeKind.Hour);
        // The header's state follows the sensors; each sensor card subscribes for itself.
        _subscription = Live.SubscribeSensors(_asset.Sensors.Select(s => s.Id).ToList(), () => _ = InvokeAsync(OnLiveChanged));
        // Alarm markers on the trends and the alarm list of the header follow the board.
        _alarmSubscription ??= Alarms.Subscribe(() => InvokeAsync(OnLiveChanged));
    }

    private IReadOnlyList<TrendMarker> MarkersOf(ScreenSensor sensor) => AlarmMarkers.For(Alarms.ForSensor(sensor.Key));

    private void OnLiveChanged()
    {
        if (!_disposed.IsCancellationRequested)
        {
            StateHasChanged();
        }
    }

    private void SelectSensor(ScreenSensor sensor) => _selected = sensor;

    private void SelectRange(HistoryRangeKind kind)
    {
        _range = kind;
        _customOpen = false;
        _to = Time.GetUtcNow().UtcDateTime;
        _from = _to - HistoryRanges.Length(kind);
    }

    private void ApplyCustom()
    {
        if (_site is null)
        {
            return;
        }
        if (_custom.From is not { } from || _custom.To is not { } to)
        {
            _customError = "Enter both a start and an end.";
            return;
        }
        if (to <= from)
        {
            _customError = "The end must be later than the start.";
            return;
        }
        _customError = null;
        _range = HistoryRangeKind.Custom;
        _from = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(from, DateTimeKind.Unspecified), _site.TimeZone);
        _to = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(to, DateTimeKind.Unspecified), _site.TimeZone);
        _customOpen = false;
    }

    private static string RangeKey(HistoryRangeKind kind) => kind switch
    {
        HistoryRangeKind.Hour => "1h",
        HistoryRangeKind.Day => "24h",
        HistoryRangeKind.Week => "7d",
        HistoryRangeKind.Month => "30d",
        _ => "custom",
    };

    public void Dispose()
    {
        _subscription?.Dispose();
        _alarmSubscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
