using CityOps.Analytics.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// One alarm of a (rule, source) binding, from raised until it is history (<see cref="AlarmState.Normal"/>).
/// At most one alarm per binding is standing at a time; a later condition raises a new alarm.
/// </summary>
public sealed class Alarm
{
    public long Id { get; set; }
    public required string RuleKey { get; set; }
    public int RuleVersion { get; set; }
    public required string RuleName { get; set; }
    public required string SourceKey { get; set; }
    public int? SensorId { get; set; }
    public string? SensorKey { get; set; }
    public required string AssetKey { get; set; }
    public required string SiteKey { get; set; }
    public required string Area { get; set; }
    public AlarmPriority Priority { get; set; }
    public AlarmState State { get; set; }
    public bool ConditionActive { get; set; }
    public required string Message { get; set; }
    public string? Detail { get; set; }
    public double? Value { get; set; }
    public string? Unit { get; set; }
    public double Score { get; set; }
    public DateTime? PredictedAt { get; set; }
    public DateTime RaisedAt { get; set; }
    public DateTime? ClearedAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTime? ShelvedUntil { get; set; }
    public string? ShelvedBy { get; set; }
    public string? ShelveReason { get; set; }

    /// <summary>Who took the alarm out of service: "system" when its rule was disabled (it returns when the rule does).</summary>
    public string? OutOfServiceBy { get; set; }
    public bool Chattering { get; set; }

    public AlarmStatus Status => new((LifecycleState)State, ConditionActive, ShelvedUntil);

    public void Apply(AlarmStatus status)
    {
        State = (AlarmState)status.State;
        ConditionActive = status.ConditionActive;
        ShelvedUntil = status.ShelvedUntil;
        if (State != AlarmState.Shelved)
        {
            ShelvedBy = null;
            ShelveReason = null;
        }
        if (State != AlarmState.OutOfService)
        {
            OutOfServiceBy = null;
        }
    }

    public AlarmView ToView() => new(Id, RuleKey, RuleVersion, RuleName, Priority, State, ConditionActive, SiteKey, Area, AssetKey, SensorKey,
        SourceKey, Message, Detail, Value, Unit, Score, RaisedAt, ClearedAt, AcknowledgedAt, AcknowledgedBy, ShelvedUntil, Chattering, PredictedAt);
}

/// <summary>One recorded transition or comment of an alarm.</summary>
public sealed class AlarmEvent
{
    public long Id { get; set; }
    public long AlarmId { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    public AlarmState? FromState { get; set; }
    public AlarmState? ToState { get; set; }

    /// <summary>One of <see cref="AlarmEventKinds"/>.</summary>
    public required string Kind { get; set; }
    public string? Reason { get; set; }

    public AlarmEventView ToView() => new(At, Actor, FromState, ToState, Kind, Reason);
}

public static class AlarmEventKinds
{
    public const string Raised = "raised";
    public const string Cleared = "cleared";
    public const string Acknowledged = "acknowledged";
    public const string Shelved = "shelved";
    public const string Unshelved = "unshelved";
    public const string ShelveExpired = "shelve-expired";
    public const string Suppressed = "suppressed";
    public const string Unsuppressed = "unsuppressed";
    public const string OutOfService = "out-of-service";
    public const string ReturnedToService = "returned-to-service";
    public const string Comment = "comment";
}

/// <summary>What a detector of one (rule, source) binding has learned, so a restart resumes where it stopped.</summary>
public sealed class ModelState
{
    public required string RuleKey { get; set; }
    public required string SourceKey { get; set; }
    public required string State { get; set; }
    public DateTime SavedAt { get; set; }
}

public sealed class AlarmConfiguration : IEntityTypeConfiguration<Alarm>
{
    public void Configure(EntityTypeBuilder<Alarm> b)
    {
        b.ToTable("alarms");
        // Ids come from a sequence in blocks, so the audit entry of a new alarm can name it in the same SaveChanges.
        b.Property(a => a.Id).UseHiLo("alarms_hilo");
        b.HasIndex(a => new { a.RuleKey, a.SourceKey }).IsUnique().HasFilter("state <> 'Normal'").HasDatabaseName("ix_alarms_standing_binding");
        b.HasIndex(a => a.State);
        b.HasIndex(a => a.RaisedAt);
        b.Property(a => a.RuleKey).HasMaxLength(200);
        b.Property(a => a.RuleName).HasMaxLength(200);
        b.Property(a => a.SourceKey).HasMaxLength(200);
        b.Property(a => a.SensorKey).HasMaxLength(200);
        b.Property(a => a.AssetKey).HasMaxLength(200);
        b.Property(a => a.SiteKey).HasMaxLength(100);
        b.Property(a => a.Area).HasMaxLength(200);
        b.Property(a => a.Priority).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.State).HasConversion<string>().HasMaxLength(32);
        b.Property(a => a.Message).HasMaxLength(500);
        b.Property(a => a.Detail).HasMaxLength(1000);
        b.Property(a => a.Unit).HasMaxLength(20);
        b.Property(a => a.AcknowledgedBy).HasMaxLength(256);
        b.Property(a => a.ShelvedBy).HasMaxLength(256);
        b.Property(a => a.ShelveReason).HasMaxLength(2000);
        b.Property(a => a.OutOfServiceBy).HasMaxLength(256);
        b.Ignore(a => a.Status);
    }
}

public sealed class AlarmEventConfiguration : IEntityTypeConfiguration<AlarmEvent>
{
    public void Configure(EntityTypeBuilder<AlarmEvent> b)
    {
        b.ToTable("alarm_events");
        b.HasIndex(e => new { e.AlarmId, e.At });
        b.HasOne<Alarm>().WithMany().HasForeignKey(e => e.AlarmId).OnDelete(DeleteBehavior.Cascade);
        b.Property(e => e.Actor).HasMaxLength(256);
        b.Property(e => e.FromState).HasConversion<string>().HasMaxLength(32);
        b.Property(e => e.ToState).HasConversion<string>().HasMaxLength(32);
        b.Property(e => e.Kind).HasMaxLength(32);
        b.Property(e => e.Reason).HasMaxLength(2000);
    }
}

public sealed class ModelStateConfiguration : IEntityTypeConfiguration<ModelState>
{
    public void Configure(EntityTypeBuilder<ModelState> b)
    {
        b.ToTable("model_states");
        b.HasKey(m => new { m.RuleKey, m.SourceKey });
        b.Property(m => m.RuleKey).HasMaxLength(200);
        b.Property(m => m.SourceKey).HasMaxLength(200);
    }
}
