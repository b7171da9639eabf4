using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Alerts;

/// <summary>A point of the trend the backtest draws its alarms on (min and max of a bucket, so spikes show).</summary>
public sealed record BacktestTrendPoint(DateTime At, double Min, double Max);

/// <summary>The trend of one sensor the rule watched, downsampled for drawing.</summary>
public sealed record BacktestTrend(string SensorKey, string Unit, IReadOnlyList<BacktestTrendPoint> Points);

/// <summary>A backtest's result with the trends to draw it on.</summary>
public sealed record BacktestReport(BacktestResult Result, IReadOnlyList<BacktestTrend> Trends);

/// <summary>
/// Runs a rule definition over stored history with the live engine's own code (<see cref="RuleEngine"/>), so what
/// it reports is what the engine would have raised.
/// </summary>
public interface IRuleBacktester
{
    /// <summary>Backtests <paramref name="definition"/> over [from, to) (UTC), reporting progress; cancellable.</summary>
    /// <exception cref="ArgumentException">The definition is invalid (see <see cref="RuleValidation"/>).</exception>
    Task<BacktestReport> RunAsync(AlertRuleDefinition definition, DateTime from, DateTime to,
        IProgress<BacktestProgress>? progress, CancellationToken cancellationToken);
}
