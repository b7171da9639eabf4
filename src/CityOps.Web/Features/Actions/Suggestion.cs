using CityOps.Analytics.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Actions;

/// <summary>Proposed until an operator decides; Expired when its alarm's moment has passed undecided.</summary>
public enum SuggestionStatus { Proposed, Accepted, Modified, Rejected, Expired }

/// <summary>A control action a playbook proposes for an alarm, with its predicted effect and the alternatives weighed.</summary>
public sealed class Suggestion
{
    public long Id { get; set; }
    public long AlarmId { get; set; }

    /// <summary>The alarm's priority when raised: Critical alarms' commands need a second operator.</summary>
    public AlarmPriority AlarmPriority { get; set; }
    public required string PlaybookKey { get; set; }
    public required string ActuatorKey { get; set; }
    public double ProposedValue { get; set; }
    public required string Unit { get; set; }
    public required string Description { get; set; }

    /// <summary><see cref="PredictedEffect"/> as JSON; null when no process model could predict it.</summary>
    public string? PredictedEffect { get; set; }

    /// <summary>See <see cref="Actions.PredictedEffect.Confidence"/>; null without a prediction.</summary>
    public double? Confidence { get; set; }

    /// <summary>Why the proposal falls short or has no prediction.</summary>
    public string? Note { get; set; }

    /// <summary>Every candidate considered (<see cref="Candidate"/>[] as JSON), the recommended one first.</summary>
    public required string Alternatives { get; set; }
    public DateTime CreatedAt { get; set; }
    public SuggestionStatus Status { get; set; }
    public string? DecidedBy { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? Reason { get; set; }
}

public sealed class SuggestionConfiguration : IEntityTypeConfiguration<Suggestion>
{
    public void Configure(EntityTypeBuilder<Suggestion> b)
    {
        b.HasIndex(s => s.AlarmId);
        b.HasIndex(s => s.Status);
        b.Property(s => s.AlarmPriority).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.PlaybookKey).HasMaxLength(64);
        b.Property(s => s.ActuatorKey).HasMaxLength(200);
        b.Property(s => s.Unit).HasMaxLength(20);
        b.Property(s => s.Description).HasMaxLength(500);
        b.Property(s => s.PredictedEffect).HasColumnType("jsonb");
        b.Property(s => s.Alternatives).HasColumnType("jsonb");
        b.Property(s => s.Note).HasMaxLength(1000);
        b.Property(s => s.DecidedBy).HasMaxLength(256);
        b.Property(s => s.Reason).HasMaxLength(2000);
    }
}
