namespace CityOps.Analytics.Alerts;

/// <summary>One alarm a rule would have raised over a history range.</summary>
/// <param name="SourceKey">The sensor (or, for multivariate rules, the asset) it was raised on.</param>
/// <param name="ClearedAt">Null when it was still active at the end of the range.</param>
/// <param name="Chattering">The engine flagged it as chattering.</param>
public sealed record BacktestAlarm(string SourceKey, DateTime RaisedAt, DateTime? ClearedAt, string Message, double? Value, bool Chattering);

/// <summary>Alarm-rate figures of one rule over a range, as the alarm-system KPIs count them (EEMUA 191).</summary>
public sealed record BacktestRates(int Alarms, double PerDay, double AveragePer10Minutes, int PeakPer10Minutes,
    int Chattering, TimeSpan MeanDuration, TimeSpan LongestDuration, double ShareOfTimeActive);

/// <summary>How far a backtest has got.</summary>
public sealed record BacktestProgress(double Fraction, long Readings, int Alarms);

/// <summary>What a rule would have raised over [From, To): its alarms and rates, and those of the saved version for comparison.</summary>
/// <param name="Current">The same figures for the version now saved (null for a new rule).</param>
public sealed record BacktestResult(string RuleKey, DateTime From, DateTime To, long Readings, int Sources,
    IReadOnlyList<BacktestAlarm> Alarms, BacktestRates Proposed, BacktestRates? Current, TimeSpan Elapsed);
