using CityOps.Web.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.SensorDetail;

/// <summary>How a trend chart is drawn: its series label, unit, time zone (IANA id), size and whether a legend shows hovered values.</summary>
public sealed record TrendChartOptions(string Label, string Unit, string TimeZone, int Height, bool Band, int Decimals, bool Legend = true);

/// <summary>A vertical line on a trend (an alarm raised or cleared) at <paramref name="Ts"/> Unix seconds, with its label and colour.</summary>
public sealed record TrendMarker(double Ts, string Label, string Colour);

/// <summary>
/// A uPlot chart in the browser, owned by one component: created once, then fed whole series or appended
/// points. The chart draws itself; Blazor never re-renders it, so updates do not flicker.
/// </summary>
internal sealed class TrendChart(IJSRuntime js) : IAsyncDisposable
{
    internal const string ModulePath = "./js/trend-chart.js";
    private IJSObjectReference? _module;
    private IJSObjectReference? _chart;
    private bool _disposed;

    public bool IsCreated => _chart is not null;

    public Task CreateAsync(ElementReference element, TrendChartOptions options, TrendSeries series, IReadOnlyList<TrendMarker>? markers = null) =>
        CreateAsync("create", element, new
        {
            label = options.Label,
            unit = options.Unit,
            timeZone = options.TimeZone,
            height = options.Height,
            band = options.Band,
            decimals = options.Decimals,
            legend = options.Legend,
            markers = markers ?? [],
        }, series.Pack(options.Band));

    /// <summary>Draws with another of the module's chart kinds (<paramref name="kind"/> is its exported function), replacing any chart drawn before.</summary>
    public async Task CreateAsync(string kind, ElementReference element, object options, object packed)
    {
        if (_disposed)
        {
            return;
        }
        var module = _module ??= await js.InvokeAsync<IJSObjectReference>("import", ModulePath);
        var previous = _chart;
        _chart = null;
        await BrowserObjects.ReleaseAsync(previous, removeFromPage: true);
        if (_disposed)
        {
            // Disposed while the module loaded or the previous chart went.
            _module = null;
            await BrowserObjects.ReleaseAsync(module);
            return;
        }
        // Null when the element left the page while the call was on its way.
        var chart = await module.InvokeAsync<IJSObjectReference?>(kind, element, options, packed);
        if (_disposed && chart is not null)
        {
            // The owner went away while the chart was being made: nobody else will remove it.
            await BrowserObjects.ReleaseAsync(chart, removeFromPage: true);
            return;
        }
        _chart = chart;
    }

    public async Task SetDataAsync(TrendSeries series, bool band)
    {
        if (_chart is not null)
        {
            await _chart.InvokeVoidAsync("setData", series.Pack(band));
        }
    }

    public async Task SetMarkersAsync(IReadOnlyList<TrendMarker> markers)
    {
        if (_chart is not null)
        {
            await _chart.InvokeVoidAsync("setMarkers", markers);
        }
    }

    public async Task AppendAsync(TrendSeries points, bool band, TimeSpan window)
    {
        if (_chart is not null && points.Count > 0)
        {
            await _chart.InvokeVoidAsync("append", points.Pack(band), window.TotalSeconds);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        var (chart, module) = (_chart, _module);
        (_chart, _module) = (null, null);
        await BrowserObjects.ReleaseAsync(chart, removeFromPage: true);
        await BrowserObjects.ReleaseAsync(module);
    }
}
