using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Alerts;

/// <summary>ISA-18.2 / IEC 62682 alarm states (stored by name).</summary>
public enum AlarmState
{
    /// <summary>Condition gone and acknowledged: the alarm is history.</summary>
    Normal,
    ActiveUnacknowledged,
    ActiveAcknowledged,
    /// <summary>Returned to normal before anyone acknowledged it.</summary>
    ReturnedUnacknowledged,
    /// <summary>Hidden by an operator for a limited time, with a reason.</summary>
    Shelved,
    /// <summary>Hidden by design because of process state (e.g. downstream alarms of a stopped line).</summary>
    SuppressedByDesign,
    /// <summary>Taken out of service (maintenance, rule disabled).</summary>
    OutOfService,
}

/// <summary>An alarm as screens and the hub show it.</summary>
/// <param name="SourceKey">The sensor key, or the asset key for multivariate rules.</param>
/// <param name="ConditionActive">The process condition still holds (independent of acknowledgement).</param>
/// <param name="Score">The model's anomaly score in [0, 1] when raised / now.</param>
/// <param name="PredictedAt">For forecast alarms: when the limit is predicted to be crossed.</param>
public sealed record AlarmView(
    long Id,
    string RuleKey,
    int RuleVersion,
    string RuleName,
    AlarmPriority Priority,
    AlarmState State,
    bool ConditionActive,
    string SiteKey,
    string Area,
    string AssetKey,
    string? SensorKey,
    string SourceKey,
    string Message,
    string? Detail,
    double? Value,
    string? Unit,
    double Score,
    DateTime RaisedAt,
    DateTime? ClearedAt,
    DateTime? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTime? ShelvedUntil,
    bool Chattering,
    DateTime? PredictedAt);

/// <summary>One recorded transition or comment of an alarm: who, when, why.</summary>
public sealed record AlarmEventView(DateTime At, string Actor, AlarmState? From, AlarmState? To, string Kind, string? Reason);

/// <summary>Flood state of one operator area (EEMUA 191: more than 10 new alarms in 10 minutes).</summary>
public sealed record AreaFloodStatus(string Area, bool Flooding, int AlarmsInWindow, DateTime? Since);

/// <summary>Told about every alarm the moment it is raised (suggested actions are computed from it). Must be quick.</summary>
public interface IAlarmRaisedHandler
{
    void OnRaised(AlarmView alarm);
}
