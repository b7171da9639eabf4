using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Alerts.Evidence;

/// <summary>One reading (or, for a multivariate model, one step) on the evidence chart.</summary>
public readonly record struct EvidencePoint(DateTime At, double Value);

public enum EvidenceLineKind { High, Low, Deadband, Centre, ControlLimit, ValidRange }

/// <summary>A horizontal line of the rule: a limit, where a limit alarm clears (deadband), an SPC centre or control limit.</summary>
public sealed record EvidenceLine(string Label, double Value, EvidenceLineKind Kind);

/// <summary>The model's view of one reading: its anomaly score in [0, 1] and the normal band it used, where it has one.</summary>
public readonly record struct ScorePoint(DateTime At, double Score, double? Expected, double? Low, double? High);

/// <summary>The forecast from the raise time with its prediction interval, and where the point forecast crosses the limit.</summary>
/// <param name="CrossingAt">The first forecast point beyond <paramref name="Limit"/>; the alarm's stored prediction when the replay finds none.</param>
public sealed record ForecastCone(DateTime From, IReadOnlyList<ForecastPoint> Points, DateTime? CrossingAt, double? Limit);

/// <summary>
/// Why an alarm was raised, as the detail screen charts it: the readings around the raise, the rule's lines, the
/// forecast cone (forecast rules), the anomaly score over time (baseline and multivariate rules) and the readings that
/// triggered it.
/// </summary>
/// <param name="Unit">Of the readings and lines; for a multivariate alarm the readings are empty and only the score is charted.</param>
/// <param name="Notes">What could not be shown, or how it was computed, in one line each.</param>
public sealed record AlarmEvidence(
    string Model,
    string Unit,
    DateTime From,
    DateTime To,
    DateTime RaisedAt,
    IReadOnlyList<EvidencePoint> Readings,
    IReadOnlyList<EvidenceLine> Lines,
    ForecastCone? Forecast,
    IReadOnlyList<ScorePoint> Scores,
    IReadOnlyList<EvidencePoint> Triggers,
    IReadOnlyList<string> Notes);
