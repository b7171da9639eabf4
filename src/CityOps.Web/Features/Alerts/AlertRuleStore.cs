using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// Saves alert rules as new versions, enables and disables them, and has the running engine pick the change up.
/// Every change writes the rule, its version row and an audit entry in one SaveChanges.
/// </summary>
public sealed class AlertRuleStore(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    AuditLog audit,
    AlertEngineService engine,
    TimeProvider time)
{
    /// <summary>Creates the rule or saves a new version of it; returns the new version number.</summary>
    public async Task<int> SaveAsync(AlertRuleDefinition definition, string user, string? changeNote, CancellationToken ct)
    {
        int version;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Key == definition.Key, ct);
            var before = rule?.Definition;
            if (rule is null)
            {
                rule = new AlertRule { Key = definition.Key, Definition = definition };
                db.AlertRules.Add(rule);
            }
            rule.Version++;
            rule.Definition = definition;
            rule.Enabled = definition.Enabled;
            rule.DeletedAt = null;
            version = rule.Version;
            AddVersion(db, rule, user, changeNote);
            audit.Add(db, user, AuditCategory.Administration, "rule.saved", Target(rule.Key),
                before is null ? null : AlertRuleJson.ToElement(before), AlertRuleJson.ToElement(definition), changeNote);
            await db.SaveChangesAsync(ct);
        }
        await engine.ReloadRulesAsync(ct);
        return version;
    }

    /// <summary>
    /// Enables or disables many rules at once. Their standing alarms leave service silently when disabled (no storm
    /// of clears) and come back as history when enabled. Returns how many rules changed.
    /// </summary>
    public async Task<int> SetEnabledAsync(IReadOnlyCollection<string> ruleKeys, bool enabled, string user, string? reason, CancellationToken ct)
    {
        int count;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var rules = await db.AlertRules.Where(r => ruleKeys.Contains(r.Key) && r.DeletedAt == null && r.Enabled != enabled).ToListAsync(ct);
            foreach (var rule in rules)
            {
                rule.Enabled = enabled;
                rule.Version++;
                rule.Definition = rule.Definition with { Enabled = enabled };
                AddVersion(db, rule, user, reason ?? (enabled ? "Enabled" : "Disabled"));
                audit.Add(db, user, AuditCategory.Administration, enabled ? "rule.enabled" : "rule.disabled", Target(rule.Key), reason: reason);
            }
            await db.SaveChangesAsync(ct);
            count = rules.Count;
        }
        if (count > 0)
        {
            await engine.ReloadRulesAsync(ct);
        }
        return count;
    }

    /// <summary>Deletes softly: the rule stops running, its alarms and versions stay.</summary>
    public async Task DeleteAsync(string ruleKey, string user, string? reason, CancellationToken ct)
    {
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Key == ruleKey && r.DeletedAt == null, ct)
                ?? throw new KeyNotFoundException($"There is no alert rule '{ruleKey}'.");
            rule.DeletedAt = time.GetUtcNow().UtcDateTime;
            audit.Add(db, user, AuditCategory.Administration, "rule.deleted", Target(rule.Key), reason: reason);
            await db.SaveChangesAsync(ct);
        }
        await engine.ReloadRulesAsync(ct);
    }

    /// <summary>Rules that are not deleted, by key.</summary>
    public async Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AlertRules.AsNoTracking().Where(r => r.DeletedAt == null).OrderBy(r => r.Key).ToListAsync(ct);
    }

    /// <summary>Adds the given rules as version 1 when no rule exists at all (first start of a demo); returns how many.</summary>
    internal async Task<int> SeedAsync(IReadOnlyCollection<AlertRuleDefinition> definitions, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.AlertRules.AnyAsync(ct))
        {
            return 0;
        }
        foreach (var definition in definitions)
        {
            var rule = new AlertRule { Key = definition.Key, Definition = definition, Enabled = definition.Enabled, Version = 1 };
            db.AlertRules.Add(rule);
            AddVersion(db, rule, AlertEngineService.SystemActor, "Demo rule set");
        }
        audit.Add(db, AlertEngineService.SystemActor, AuditCategory.Administration, "rule.seeded", "rules:demo", reason: $"{definitions.Count} demo rules");
        await db.SaveChangesAsync(ct);
        return definitions.Count;
    }

    private void AddVersion(CityOpsDbContext db, AlertRule rule, string user, string? note) =>
        db.AlertRuleVersions.Add(new AlertRuleVersion
        {
            RuleKey = rule.Key,
            Version = rule.Version,
            Definition = rule.Definition,
            SavedBy = user,
            SavedAt = time.GetUtcNow().UtcDateTime,
            ChangeNote = note,
        });

    private static string Target(string ruleKey) => $"rule:{ruleKey}";
}
