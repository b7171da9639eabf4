using CityOps.Web.Features.ControlRoom;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.SensorDetail;

/// <summary>
/// A sensor's history over a chosen range from the database (raw readings or rollups with their min/max
/// band). Pan by dragging to zoom in; the range buttons above it choose what is loaded.
/// </summary>
public sealed partial class HistoryTrend : IAsyncDisposable
{
    private ElementReference _element;
    private TrendChart? _chart;
    private (int SensorId, DateTime From, DateTime To)? _shown;
    private (int SensorId, DateTime From, DateTime To)? _loading;
    private string _caption = "";
    private string? _error;
    private bool _shownBand;

    [Inject] public required ISensorHistory History { get; init; }

    [Inject] public required IJSRuntime JS { get; init; }

    [Inject] public required ILogger<HistoryTrend> Logger { get; init; }

    [Parameter, EditorRequired] public required ScreenSensor Sensor { get; set; }

    [Parameter, EditorRequired] public required string Label { get; set; }

    [Parameter, EditorRequired] public required TimeZoneInfo TimeZone { get; set; }

    [Parameter, EditorRequired] public required DateTime FromUtc { get; set; }

    [Parameter, EditorRequired] public required DateTime ToUtc { get; set; }

    /// <summary>A name for the range (<c>24h</c>), exposed on the chart for tests and styling.</summary>
    [Parameter] public string RangeKey { get; set; } = "";

    [Parameter] public int Height { get; set; } = 320;

    /// <summary>Alarm markers to draw (raise and clear times); sent again only when they change.</summary>
    [Parameter] public IReadOnlyList<TrendMarker> Markers { get; set; } = [];

    private IReadOnlyList<TrendMarker> _sentMarkers = [];

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        var wanted = (Sensor.Id, FromUtc, ToUtc);
        if (_shown == wanted || _loading == wanted)
        {
            if (_shown == wanted && _chart is { IsCreated: true } && !_sentMarkers.SequenceEqual(Markers))
            {
                _sentMarkers = Markers;
                await _chart.SetMarkersAsync(Markers);
            }
            return;
        }
        _loading = wanted;
        HistorySeries series;
        try
        {
            series = await History.ReadAsync(Sensor.Id, FromUtc, ToUtc);
            _error = null;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            Logger.LogError(e, "History of sensor {Sensor} from {From} to {To} could not be read", Sensor.Key, FromUtc, ToUtc);
            _error = "The history cannot be read right now; the database is unavailable. Live values keep updating.";
            _loading = null;
            StateHasChanged();
            return;
        }
        if (_loading != wanted)
        {
            return;
        }
        var band = series.Series.HasBand;
        if (_chart is null || _shownBand != band)
        {
            _chart ??= new TrendChart(JS);
            _sentMarkers = Markers;
            await _chart.CreateAsync(_element, new TrendChartOptions(Label, Sensor.Unit, TimeZone.Id, Height, band, LiveTrend.Decimals(Sensor)), series.Series, Markers);
            _shownBand = band;
        }
        else
        {
            await _chart.SetDataAsync(series.Series, band);
            if (!_sentMarkers.SequenceEqual(Markers))
            {
                _sentMarkers = Markers;
                await _chart.SetMarkersAsync(Markers);
            }
        }
        _shown = wanted;
        _loading = null;
        _caption = series.Series.Count == 0
            ? "No readings in this range."
            : $"{series.Series.Count:N0} points, {HistoryRanges.Describe(series.Resolution)}.";
        StateHasChanged();
    }

    public async ValueTask DisposeAsync()
    {
        if (_chart is not null)
        {
            await _chart.DisposeAsync();
        }
    }
}
