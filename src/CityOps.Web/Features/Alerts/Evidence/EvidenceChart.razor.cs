using System.Globalization;
using CityOps.Web.Features.SensorDetail;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.Alerts.Evidence;

/// <summary>
/// An alarm's evidence drawn with the trend charts' uPlot module (<c>evidence</c> in trend-chart.js), and a legend in
/// markup with the rule's values and units, which screen readers and printouts get too.
/// </summary>
public sealed partial class EvidenceChart : IAsyncDisposable
{
    private ElementReference _element;
    private TrendChart? _chart;
    private AlarmEvidence? _drawn;

    [Inject] public required IJSRuntime JS { get; init; }

    [Parameter, EditorRequired] public required AlarmEvidence Evidence { get; set; }

    [Parameter, EditorRequired] public required TimeZoneInfo TimeZone { get; set; }

    [Parameter] public IReadOnlyList<TrendMarker> Markers { get; set; } = [];

    [Parameter] public int Decimals { get; set; } = 1;

    [Parameter] public int Height { get; set; } = 260;

    private string AriaLabel => Evidence.Readings.Count > 0
        ? $"Readings in {Evidence.Unit} around the raise, with the rule's limits"
        : "The model's anomaly score around the raise";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (ReferenceEquals(_drawn, Evidence))
        {
            return;
        }
        _drawn = Evidence;
        var data = EvidenceChartData.From(Evidence);
        _chart ??= new TrendChart(JS);
        var markers = Markers.ToList();
        if (Evidence.Forecast?.CrossingAt is { } crossing)
        {
            markers.Add(new TrendMarker(TrendSeries.ToUnixSeconds(crossing), "predicted crossing", "var(--mud-palette-error)"));
        }
        await _chart.CreateAsync("evidence", _element, new
        {
            label = "Reading",
            unit = Evidence.Unit,
            timeZone = TimeZone.Id,
            height = Height,
            decimals = Decimals,
            legend = true,
            markers,
            series = data.Columns.Select(c => new { label = c.Label, kind = c.Kind, scale = c.Scale }),
            bands = data.Bands.Select(b => new { upper = b.Upper, lower = b.Lower, kind = b.Kind }),
        }, data.Pack());
    }

    private string Value(double v) => $"{v.ToString("N" + Decimals, CultureInfo.InvariantCulture)} {Evidence.Unit}".TrimEnd();

    private string TriggerValue(double v) => Evidence.Readings.Count > 0 ? Value(v) : $"score {v.ToString("0.00", CultureInfo.InvariantCulture)}";

    private string CrossingText(ForecastCone cone) => cone.CrossingAt is { } at && cone.Limit is { } limit
        ? $"; the forecast crosses {Value(limit)} at {AlarmStyle.Time(at, TimeZone)}."
        : "; no crossing within the horizon.";

    public async ValueTask DisposeAsync()
    {
        if (_chart is not null)
        {
            await _chart.DisposeAsync();
        }
    }
}
