using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Actions;

/// <summary>
/// AwaitingConfirmation (Critical alarms: a second operator must confirm) → Pending → Sent → Acknowledged → Applied,
/// or Failed / TimedOut. Applied, Failed and TimedOut are final.
/// </summary>
public enum CommandStatus { AwaitingConfirmation, Pending, Sent, Acknowledged, Applied, Failed, TimedOut }

/// <summary>A value sent to an actuator, from a suggestion or directly, with its delivery and outcome.</summary>
public sealed class Command
{
    public long Id { get; set; }
    public long? SuggestionId { get; set; }
    public Suggestion? Suggestion { get; set; }
    public required string ActuatorKey { get; set; }
    public double Value { get; set; }

    /// <summary>The actuator's value when the command was requested, to show and to undo.</summary>
    public double? PreviousValue { get; set; }
    public required string RequestedBy { get; set; }
    public DateTime RequestedAt { get; set; }
    public bool RequiresConfirmation { get; set; }
    public string? ConfirmedBy { get; set; }
    public DateTime? ConfirmedAt { get; set; }
    public CommandStatus Status { get; set; }
    public DateTime? SentAt { get; set; }
    public DateTime? AcknowledgedAt { get; set; }
    public DateTime? AppliedAt { get; set; }

    /// <summary>Sent but not applied by then: timed out.</summary>
    public DateTime? DeadlineAt { get; set; }
    public string? Error { get; set; }

    /// <summary>When the outcome check compares the readings with the prediction (applied + horizon).</summary>
    public DateTime? OutcomeDueAt { get; set; }

    /// <summary><see cref="OutcomeCheck"/> as JSON: actual vs predicted after the horizon.</summary>
    public string? Outcome { get; set; }

    public bool IsFinal => Status is CommandStatus.Applied or CommandStatus.Failed or CommandStatus.TimedOut;
}

public sealed class CommandConfiguration : IEntityTypeConfiguration<Command>
{
    public void Configure(EntityTypeBuilder<Command> b)
    {
        b.HasIndex(c => c.Status);
        b.HasIndex(c => c.SuggestionId);
        b.HasOne(c => c.Suggestion).WithMany().HasForeignKey(c => c.SuggestionId).OnDelete(DeleteBehavior.Restrict);
        b.Property(c => c.Status).HasConversion<string>().HasMaxLength(24);
        b.Property(c => c.ActuatorKey).HasMaxLength(200);
        b.Property(c => c.RequestedBy).HasMaxLength(256);
        b.Property(c => c.ConfirmedBy).HasMaxLength(256);
        b.Property(c => c.Error).HasMaxLength(2000);
        b.Property(c => c.Outcome).HasColumnType("jsonb");
    }
}
