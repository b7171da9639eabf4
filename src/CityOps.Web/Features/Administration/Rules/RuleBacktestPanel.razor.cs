using CityOps.Web.Components;
using Microsoft.AspNetCore.Components.Authorization;
using System.Globalization;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.Administration.Rules;

public enum BacktestRange { Day, Week, Month, Custom }

/// <summary>
/// Backtests the rule as it is being edited over a range of history, with progress and cancel, and shows what it would
/// have raised: the alarms, their rates against the saved version's, and the alarms over the trend.
/// </summary>
public sealed partial class RuleBacktestPanel : ComponentBase, IAsyncDisposable
{
    internal const string ModulePath = "./js/rule-admin.js";
    private const int MaxAlarmRows = 200;

    private static readonly IReadOnlyList<(BacktestRange Range, string Title)> Ranges =
        [(BacktestRange.Day, "24 h"), (BacktestRange.Week, "7 d"), (BacktestRange.Month, "30 d"), (BacktestRange.Custom, "Custom")];

    private static readonly IReadOnlyList<(string Label, Func<BacktestRates, string> Pick)> RateRows =
    [
        ("Alarms", r => r.Alarms.ToString(CultureInfo.InvariantCulture)),
        ("Per day", r => r.PerDay.ToString("0.##", CultureInfo.InvariantCulture)),
        ("Average per 10 min", r => r.AveragePer10Minutes.ToString("0.###", CultureInfo.InvariantCulture)),
        ("Peak per 10 min", r => r.PeakPer10Minutes.ToString(CultureInfo.InvariantCulture)),
        ("Chattering", r => r.Chattering.ToString(CultureInfo.InvariantCulture)),
        ("Mean duration", r => Durations.Text(r.MeanDuration)),
        ("Longest duration", r => Durations.Text(r.LongestDuration)),
        ("Share of time active", r => r.ShareOfTimeActive.ToString("0.#%", CultureInfo.InvariantCulture)),
    ];

    [Inject] public required IRuleBacktester Backtester { get; init; }
    [Inject] public required AuthenticationStateProvider Auth { get; init; }
    [Inject] public required TimeProvider Time { get; init; }
    [Inject] public required IJSRuntime Js { get; init; }
    [Inject] public required ILogger<RuleBacktestPanel> Logger { get; init; }

    /// <summary>The rule as it stands in the editor.</summary>
    [Parameter, EditorRequired] public required AlertRuleDefinition Definition { get; set; }

    /// <summary>False while the rule has problems.</summary>
    [Parameter] public bool CanRun { get; set; } = true;

    /// <summary>Told which definition a backtest completed for.</summary>
    [Parameter] public EventCallback<AlertRuleDefinition> OnCompleted { get; set; }

    private BacktestRange _range = BacktestRange.Week;
    private DateTime? _customFrom;
    private DateTime? _customTo;
    private bool _running;
    private bool _cancelled;
    private string? _error;
    private volatile BacktestProgress? _progress;
    private BacktestReport? _report;
    private string? _selectedTrend;
    private CancellationTokenSource? _cts;
    private ElementReference _chartElement;
    private IJSObjectReference? _module;
    private IJSObjectReference? _chart;
    private bool _disposed;
    private bool _drawChart;

    private BacktestTrend? SelectedTrend =>
        _report?.Trends.FirstOrDefault(t => t.SensorKey == _selectedTrend) ?? _report?.Trends.FirstOrDefault();

    protected override void OnInitialized()
    {
        var today = Time.GetUtcNow().UtcDateTime.Date;
        _customFrom = today.AddDays(-7);
        _customTo = today;
    }

    private (DateTime From, DateTime To) Range()
    {
        var now = Time.GetUtcNow().UtcDateTime;
        return _range switch
        {
            BacktestRange.Day => (now.AddDays(-1), now),
            BacktestRange.Month => (now.AddDays(-30), now),
            BacktestRange.Custom => (DateTime.SpecifyKind(_customFrom?.Date ?? now.Date, DateTimeKind.Utc),
                DateTime.SpecifyKind((_customTo?.Date ?? now.Date).AddDays(1), DateTimeKind.Utc)),
            _ => (now.AddDays(-7), now),
        };
    }

    private string? RangeProblem()
    {
        if (_range != BacktestRange.Custom)
        {
            return null;
        }
        var (from, to) = Range();
        return from >= to ? "The range must start before it ends." : null;
    }

    private async Task RunAsync()
    {
        _cts?.Dispose();
        _cts = new CancellationTokenSource();
        var token = _cts.Token;
        var definition = Definition;
        var (from, to) = Range();
        _running = true;
        _cancelled = false;
        _error = null;
        _report = null;
        _progress = new BacktestProgress(0, 0, 0);
        await DisposeChartAsync();
        var shownPercent = 0;
        // Progress comes from the backtest's thread (a reference write, read by the next render); a render is asked
        // for only when the shown percentage changes, however often the backtest reports.
        var progress = new CallbackProgress<BacktestProgress>(p =>
        {
            _progress = p;
            var percent = (int)Math.Round(p.Fraction * 100);
            if (Interlocked.Exchange(ref shownPercent, percent) != percent)
            {
                _ = InvokeAsync(() =>
                {
                    if (_running)
                    {
                        StateHasChanged();
                    }
                });
            }
        });
        try
        {
            // A backtest reads any sensor's whole history: administrators only, whichever way it is reached.
            AdminGuard.Demand((await Auth.GetAuthenticationStateAsync()).User);
            // Off the circuit's thread: replaying a month of readings must not freeze the page.
            _report = await Task.Run(() => Backtester.RunAsync(definition, from, to, progress, token), token);
            _selectedTrend = _report.Trends.FirstOrDefault()?.SensorKey;
            _drawChart = true;
            await OnCompleted.InvokeAsync(definition);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _cancelled = true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // An invalid range or definition, or a model this deployment cannot backtest yet: the message says which.
            _error = e.Message;
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Backtest of rule {RuleKey} over {From}–{To} failed", definition.Key, from, to);
            _error = $"The backtest failed: {e.Message}";
        }
        finally
        {
            _running = false;
        }
    }

    private void Cancel() => _cts?.Cancel();

    private async Task SelectTrendAsync(string sensorKey)
    {
        _selectedTrend = sensorKey;
        _drawChart = true;
        await DisposeChartAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!_drawChart || _report is null || SelectedTrend is not { } trend)
        {
            return;
        }
        _drawChart = false;
        var alarms = _report.Result.Alarms.Where(a => a.SourceKey == trend.SensorKey || _report.Trends.Count == 1).ToList();
        _module ??= await Js.InvokeAsync<IJSObjectReference>("import", ModulePath);
        if (_disposed)
        {
            // Removed while the module loaded: DisposeAsync found nothing to release yet.
            await DisposeModuleAsync();
            return;
        }
        var chart = await _module.InvokeAsync<IJSObjectReference?>("drawBacktest", _chartElement, new
        {
            label = trend.SensorKey,
            unit = trend.Unit,
            timeZone = "UTC",
            height = 260,
            ts = trend.Points.Select(p => Unix(p.At)).ToArray(),
            min = trend.Points.Select(p => p.Min).ToArray(),
            max = trend.Points.Select(p => p.Max).ToArray(),
            intervals = alarms.Select(a => new[] { Unix(a.RaisedAt), Unix(a.ClearedAt ?? _report.Result.To) }).ToArray(),
        });
        _chart = chart;
        if (_disposed)
        {
            // Removed while the chart was drawn: it would otherwise stay behind in the browser.
            await DisposeChartAsync();
        }
    }

    private static double Unix(DateTime at) => (DateTime.SpecifyKind(at, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;

    private static string Stamp(DateTime at) => at.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task DisposeChartAsync()
    {
        var chart = _chart;
        _chart = null;
        await BrowserObjects.ReleaseAsync(chart, removeFromPage: true);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _cts?.Cancel();
        _cts?.Dispose();
        await DisposeChartAsync();
        await DisposeModuleAsync();
    }

    private async Task DisposeModuleAsync()
    {
        var module = _module;
        _module = null;
        await BrowserObjects.ReleaseAsync(module);
    }

    /// <summary>An <see cref="IProgress{T}"/> that calls back on the reporting thread (unlike Progress&lt;T&gt;, which posts).</summary>
    private sealed class CallbackProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
