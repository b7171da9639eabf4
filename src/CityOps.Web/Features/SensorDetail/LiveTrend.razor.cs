using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.SensorDetail;

/// <summary>
/// A sensor's last 15 minutes from the live store, with each minute's min/max as a band. New readings
/// are appended in the browser at the store's cadence; the chart is never re-rendered by Blazor.
/// </summary>
public sealed partial class LiveTrend : IAsyncDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private ElementReference _element;
    private TrendChart? _chart;
    private IDisposable? _subscription;
    private DateTime _sentUntil = DateTime.MinValue;
    private bool _sending;
    private bool _pending;
    private bool _disposed;

    [Inject] public required LiveStore Live { get; init; }

    [Inject] public required IJSRuntime JS { get; init; }

    [Parameter, EditorRequired] public required ScreenSensor Sensor { get; set; }

    [Parameter, EditorRequired] public required string Label { get; set; }

    [Parameter, EditorRequired] public required TimeZoneInfo TimeZone { get; set; }

    [Parameter] public int Height { get; set; } = 160;

    /// <summary>Alarm markers to draw (raise and clear times); sent again only when they change.</summary>
    [Parameter] public IReadOnlyList<TrendMarker> Markers { get; set; } = [];

    private IReadOnlyList<TrendMarker> _sentMarkers = [];

    protected override void OnInitialized() =>
        _subscription = Live.SubscribeSensors([Sensor.Id], () => _ = InvokeAsync(SendNewPointsAsync));

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            if (_chart is { IsCreated: true } && !_sentMarkers.SequenceEqual(Markers))
            {
                _sentMarkers = Markers;
                await _chart.SetMarkersAsync(Markers);
            }
            return;
        }
        _chart = new TrendChart(JS);
        var history = Recent(DateTime.MinValue);
        // The card above the chart already shows the value; a legend would repeat it.
        var options = new TrendChartOptions(Label, Sensor.Unit, TimeZone.Id, Height, Band: true, Decimals(Sensor), Legend: false);
        _sending = true;
        try
        {
            _sentMarkers = Markers;
            await _chart.CreateAsync(_element, options, history, Markers);
            MarkSent(history);
        }
        finally
        {
            _sending = false;
        }
        if (_pending)
        {
            await SendNewPointsAsync();
        }
    }

    private async Task SendNewPointsAsync()
    {
        if (_disposed || _chart is not { IsCreated: true })
        {
            _pending = true;
            return;
        }
        if (_sending)
        {
            _pending = true;
            return;
        }
        _sending = true;
        try
        {
            do
            {
                _pending = false;
                var points = Recent(_sentUntil);
                await _chart.AppendAsync(points, band: true, Window);
                MarkSent(points);
            }
            while (_pending && !_disposed);
        }
        catch (JSDisconnectedException)
        {
            // The page is gone; the subscription ends with the component.
        }
        finally
        {
            _sending = false;
        }
    }

    private void MarkSent(TrendSeries points)
    {
        if (points.Count > 0)
        {
            _sentUntil = DateTime.UnixEpoch.AddSeconds(points.Timestamps[^1]);
        }
    }

    /// <summary>The store's history newer than <paramref name="after"/>, each point with its minute's min and max.</summary>
    internal TrendSeries Recent(DateTime after) => WithMinuteBand(Live.GetHistory(Sensor.Id), after);

    internal static TrendSeries WithMinuteBand(IReadOnlyList<(DateTime Ts, double Value)> history, DateTime after)
    {
        // The band of a minute covers all its readings, including those sent before; so start at the minute.
        var from = 0;
        var minuteOfAfter = after == DateTime.MinValue ? DateTime.MinValue : after.AddTicks(-(after.Ticks % TimeSpan.TicksPerMinute));
        while (from < history.Count && history[from].Ts < minuteOfAfter)
        {
            from++;
        }
        var ts = new List<double>();
        var values = new List<double>();
        var min = new List<double>();
        var max = new List<double>();
        var i = from;
        while (i < history.Count)
        {
            var minute = history[i].Ts.Ticks - history[i].Ts.Ticks % TimeSpan.TicksPerMinute;
            var end = i;
            double lo = double.MaxValue, hi = double.MinValue;
            while (end < history.Count && history[end].Ts.Ticks - history[end].Ts.Ticks % TimeSpan.TicksPerMinute == minute)
            {
                lo = Math.Min(lo, history[end].Value);
                hi = Math.Max(hi, history[end].Value);
                end++;
            }
            for (var j = i; j < end; j++)
            {
                if (history[j].Ts > after)
                {
                    ts.Add(TrendSeries.ToUnixSeconds(history[j].Ts));
                    values.Add(history[j].Value);
                    min.Add(lo);
                    max.Add(hi);
                }
            }
            i = end;
        }
        return new TrendSeries([.. ts], [.. values], [.. min], [.. max]);
    }

    internal static int Decimals(ScreenSensor sensor) => sensor.Max - sensor.Min >= 1000 ? 0 : sensor.Max - sensor.Min >= 10 ? 1 : 2;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _subscription?.Dispose();
        if (_chart is not null)
        {
            await _chart.DisposeAsync();
        }
    }
}
