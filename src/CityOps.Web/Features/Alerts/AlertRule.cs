using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Analytics.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// An alert rule as administrators keep it: the current definition and version; every saved version is kept in
/// <see cref="AlertRuleVersion"/>. Deleting is soft (<see cref="DeletedAt"/>) so alarms keep their rule.
/// </summary>
public sealed class AlertRule
{
    public int Id { get; set; }
    public required string Key { get; set; }
    public int Version { get; set; }
    public bool Enabled { get; set; }
    public DateTime? DeletedAt { get; set; }
    public required AlertRuleDefinition Definition { get; set; }

    /// <summary>The definition the engine runs: the row's enabled flag wins over the one inside the JSON.</summary>
    public AlertRuleDefinition Effective => Definition with { Enabled = Enabled && DeletedAt is null };
}

/// <summary>One saved version of a rule: who changed it, when and why.</summary>
public sealed class AlertRuleVersion
{
    public long Id { get; set; }
    public required string RuleKey { get; set; }
    public int Version { get; set; }
    public required AlertRuleDefinition Definition { get; set; }
    public required string SavedBy { get; set; }
    public DateTime SavedAt { get; set; }
    public string? ChangeNote { get; set; }
}

/// <summary>The JSON form of rule definitions: stored, versioned, imported and exported alike.</summary>
public static class AlertRuleJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        // jsonb stores keys in its own order, so the "model" discriminator need not come first when read back.
        AllowOutOfOrderMetadataProperties = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Serialize(AlertRuleDefinition definition) => JsonSerializer.Serialize(definition, Options);

    /// <summary>The definition as a JSON value, for the audit log's before/after.</summary>
    public static JsonElement ToElement(AlertRuleDefinition definition) => JsonSerializer.SerializeToElement(definition, Options);

    public static AlertRuleDefinition Deserialize(string json) =>
        JsonSerializer.Deserialize<AlertRuleDefinition>(json, Options) ?? throw new JsonException("A rule definition is null.");

    internal static void MapDefinition<T>(EntityTypeBuilder<T> b, System.Linq.Expressions.Expression<Func<T, AlertRuleDefinition>> property)
        where T : class =>
        b.Property(property)
            .HasColumnType("jsonb")
            .HasConversion(d => Serialize(d), s => Deserialize(s),
                // Records hold lists, which compare by reference: compare what is stored instead.
                new ValueComparer<AlertRuleDefinition>((x, y) => Serialize(x!) == Serialize(y!), d => Serialize(d).GetHashCode(), d => Deserialize(Serialize(d))));
}

public sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> b)
    {
        b.ToTable("alert_rules");
        b.HasIndex(r => r.Key).IsUnique();
        b.Property(r => r.Key).HasMaxLength(200);
        b.Ignore(r => r.Effective);
        AlertRuleJson.MapDefinition(b, r => r.Definition);
    }
}

public sealed class AlertRuleVersionConfiguration : IEntityTypeConfiguration<AlertRuleVersion>
{
    public void Configure(EntityTypeBuilder<AlertRuleVersion> b)
    {
        b.ToTable("alert_rule_versions");
        b.HasIndex(v => new { v.RuleKey, v.Version }).IsUnique();
        b.Property(v => v.RuleKey).HasMaxLength(200);
        b.Property(v => v.SavedBy).HasMaxLength(256);
        b.Property(v => v.ChangeNote).HasMaxLength(2000);
        AlertRuleJson.MapDefinition(b, v => v.Definition);
    }
}
