using System.Text.Json.Serialization;

namespace CityOps.Analytics.Alerts;

/// <summary>ISA-18.2 priorities; stored by name.</summary>
public enum AlarmPriority { Low, Medium, High, Critical }

/// <summary>
/// Which sensors (or, for multivariate models, which assets) a rule watches: every field that is set must match.
/// </summary>
/// <param name="SensorKey">Exactly this sensor.</param>
/// <param name="SiteKey">Sensors (assets) of this site.</param>
/// <param name="AssetType">Sensors of assets of this type (or assets of this type).</param>
/// <param name="Metric">Sensors of this metric kind.</param>
public sealed record RuleScope(string? SensorKey = null, string? SiteKey = null, AssetType? AssetType = null, MetricKind? Metric = null);

/// <summary>ISA-18.2 rationalisation: why the alarm exists and what the operator does about it.</summary>
public sealed record Rationalisation(string Cause, string Consequence, string CorrectiveAction, TimeSpan TimeToRespond);

/// <summary>
/// An alert rule as the engine runs it: a model with its parameters bound to a scope. Serialised as JSON for
/// storage, versioning and import/export.
/// </summary>
/// <param name="Key">Stable identifier, e.g. "plant.motor_temp.high".</param>
/// <param name="Playbooks">Keys of suggested-action playbooks offered when the rule's alarm is raised.</param>
public sealed record AlertRuleDefinition(
    string Key,
    string Name,
    RuleScope Scope,
    ModelParameters Model,
    AlarmPriority Priority,
    string Message,
    Rationalisation Rationalisation,
    IReadOnlyList<string> Playbooks,
    bool Enabled = true);

/// <summary>
/// A model and its parameters. Each model kind owns a derived record (declared here so the JSON discriminator
/// list is in one place; its properties live next to the model).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "model")]
[JsonDerivedType(typeof(LimitParameters), "limit")]
[JsonDerivedType(typeof(DataQualityParameters), "dataQuality")]
[JsonDerivedType(typeof(BaselineParameters), "baseline")]
[JsonDerivedType(typeof(ForecastParameters), "forecast")]
[JsonDerivedType(typeof(SpcParameters), "spc")]
[JsonDerivedType(typeof(MultivariateParameters), "multivariate")]
public abstract record ModelParameters;

/// <summary>High/low limits with deadband, on/off delays, and rate of change.</summary>
public sealed partial record LimitParameters : ModelParameters;

/// <summary>Stale / no data, flatline (stuck sensor), out of physical range.</summary>
public sealed partial record DataQualityParameters : ModelParameters;

/// <summary>Learned time-of-day / day-of-week baseline with an anomaly score.</summary>
public sealed partial record BaselineParameters : ModelParameters;

/// <summary>Short-horizon forecast that warns before a limit is crossed.</summary>
public sealed partial record ForecastParameters : ModelParameters;

/// <summary>Statistical process control: Western Electric rules, EWMA, CUSUM.</summary>
public sealed partial record SpcParameters : ModelParameters;

/// <summary>A model over several related sensors of one asset (PCA with Hotelling T² and Q/SPE).</summary>
public sealed partial record MultivariateParameters : ModelParameters
{
    /// <summary>The asset's sensors the model watches, by metric kind, in vector order.</summary>
    public required IReadOnlyList<MetricKind> Metrics { get; init; }

    /// <summary>The engine forms one vector (each sensor's latest value) at most this often.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromSeconds(10);
}
