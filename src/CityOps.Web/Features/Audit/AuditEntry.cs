using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Audit;

/// <summary>What part of CityOps an audit entry is about.</summary>
public enum AuditCategory { Administration, Alarm, ControlAction, Account }

/// <summary>
/// One appended line of the audit log: who did what to which thing, when, and the state before and after.
/// The table refuses UPDATE and DELETE (a trigger), so the log is append-only for the application.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }

    /// <summary>The user name, "system" for CityOps' own actions, or "key:&lt;label&gt;" for an API key.</summary>
    public required string Actor { get; set; }
    public AuditCategory Category { get; set; }

    /// <summary>A short verb phrase, e.g. "alarm.acknowledged", "rule.saved", "command.sent".</summary>
    public required string Action { get; set; }

    /// <summary>What was acted on, e.g. "alarm:42", "rule:plant.motor_temp.high", "actuator:plant1.line2.speed".</summary>
    public required string Target { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? Reason { get; set; }
}

public sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_log");
        b.HasIndex(e => e.At);
        b.HasIndex(e => new { e.Target, e.At });
        b.Property(e => e.Category).HasConversion<string>().HasMaxLength(32);
        b.Property(e => e.Actor).HasMaxLength(256);
        b.Property(e => e.Action).HasMaxLength(64);
        b.Property(e => e.Target).HasMaxLength(256);
        b.Property(e => e.Before).HasColumnType("jsonb");
        b.Property(e => e.After).HasColumnType("jsonb");
        b.Property(e => e.Reason).HasMaxLength(2000);
    }
}
