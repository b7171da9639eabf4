using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// Saves alert rules as new versions, enables and disables them, and has the running engines pick the change up: this
/// node's before the call returns, every other node's through <see cref="ChangeTopics.Rules"/>.
/// Every change writes the rule, its version row and an audit entry in one SaveChanges.
/// </summary>
public sealed class AlertRuleStore(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    AuditLog audit,
    ChangeSignals signals,
    TimeProvider time)
{
    /// <summary>Creates the rule or saves a new version of it; returns the new version number.</summary>
    /// <exception cref="RuleValidationException">The definition is invalid (nothing is saved); it lists every problem.</exception>
    public async Task<int> SaveAsync(AlertRuleDefinition definition, string user, string? changeNote, CancellationToken ct) =>
        (await SaveManyAsync([definition], user, changeNote, "rule.saved", ct))[definition.Key];

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
            await signals.PublishAsync(ChangeTopics.Rules, "", ct);
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
        await signals.PublishAsync(ChangeTopics.Rules, "", ct);
    }

    /// <summary>Rules that are not deleted, by key.</summary>
    public async Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AlertRules.AsNoTracking().Where(r => r.DeletedAt == null).OrderBy(r => r.Key).ToListAsync(ct);
    }

    /// <summary>The rule (not deleted) with its current definition and version, or null.</summary>
    public async Task<AlertRule?> GetAsync(string ruleKey, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Key == ruleKey && r.DeletedAt == null, ct);
    }

    /// <summary>Every saved version of a rule, newest first (who saved it, when and why); empty for an unknown key.</summary>
    public async Task<IReadOnlyList<AlertRuleVersion>> ListVersionsAsync(string ruleKey, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AlertRuleVersions.AsNoTracking().Where(v => v.RuleKey == ruleKey).OrderByDescending(v => v.Version).ToListAsync(ct);
    }

    /// <summary>
    /// Makes an old version current again by saving its definition as a new version (history is never rewritten);
    /// a deleted rule comes back. Returns the new version number.
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no such rule or version.</exception>
    /// <exception cref="RuleValidationException">The old version does not pass today's validation (nothing is saved).</exception>
    public async Task<int> RestoreAsync(string ruleKey, int version, string user, string? note, CancellationToken ct)
    {
        int saved;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var old = await db.AlertRuleVersions.AsNoTracking().SingleOrDefaultAsync(v => v.RuleKey == ruleKey && v.Version == version, ct)
                ?? throw new KeyNotFoundException($"The alert rule '{ruleKey}' has no version {version}.");
            var rule = await db.AlertRules.SingleOrDefaultAsync(r => r.Key == ruleKey, ct)
                ?? throw new KeyNotFoundException($"There is no alert rule '{ruleKey}'.");
            Validate(old.Definition);
            var before = rule.DeletedAt is null ? rule.Definition : null;
            rule.Version++;
            rule.Definition = old.Definition;
            rule.Enabled = old.Definition.Enabled;
            rule.DeletedAt = null;
            saved = rule.Version;
            var changeNote = string.IsNullOrWhiteSpace(note) ? $"Restored version {version}" : $"Restored version {version}: {note}";
            AddVersion(db, rule, user, changeNote);
            audit.Add(db, user, AuditCategory.Administration, "rule.restored", Target(rule.Key),
                before is null ? null : AlertRuleJson.ToElement(before), AlertRuleJson.ToElement(old.Definition), changeNote);
            await db.SaveChangesAsync(ct);
        }
        await signals.PublishAsync(ChangeTopics.Rules, "", ct);
        return saved;
    }

    /// <summary>
    /// Saves a copy of a rule under a new key, disabled (so it does not double the original's alarms before it is
    /// edited). Returns the copy's version (1).
    /// </summary>
    /// <exception cref="KeyNotFoundException">There is no rule <paramref name="ruleKey"/>.</exception>
    /// <exception cref="InvalidOperationException">A rule (possibly deleted) already has the new key.</exception>
    /// <exception cref="RuleValidationException">The new key is not a valid key.</exception>
    public async Task<int> CloneAsync(string ruleKey, string newKey, string user, CancellationToken ct)
    {
        AlertRuleDefinition source;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            source = (await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Key == ruleKey && r.DeletedAt == null, ct)
                ?? throw new KeyNotFoundException($"There is no alert rule '{ruleKey}'.")).Definition;
            if (await db.AlertRules.AnyAsync(r => r.Key == newKey, ct))
            {
                throw new InvalidOperationException($"The key '{newKey}' is already taken by another rule (perhaps a deleted one); choose another.");
            }
        }
        return await SaveAsync(source with { Key = newKey, Name = $"{source.Name} (copy)", Enabled = false }, user, $"Cloned from {ruleKey}", ct);
    }

    /// <summary>
    /// Saves many definitions in one transaction (each as a new version of its rule, audited as
    /// <paramref name="auditAction"/>), then reloads the engine once. Returns the new version of each key.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, int>> SaveManyAsync(
        IReadOnlyCollection<AlertRuleDefinition> definitions, string user, string? changeNote, string auditAction, CancellationToken ct)
    {
        foreach (var definition in definitions)
        {
            Validate(definition);
        }
        var versions = new Dictionary<string, int>(StringComparer.Ordinal);
        if (definitions.Count == 0)
        {
            return versions;
        }
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var keys = definitions.Select(d => d.Key).ToList();
            var existing = await db.AlertRules.Where(r => keys.Contains(r.Key)).ToDictionaryAsync(r => r.Key, StringComparer.Ordinal, ct);
            foreach (var definition in definitions)
            {
                existing.TryGetValue(definition.Key, out var rule);
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
                versions[rule.Key] = rule.Version;
                AddVersion(db, rule, user, changeNote);
                audit.Add(db, user, AuditCategory.Administration, auditAction, Target(rule.Key),
                    before is null ? null : AlertRuleJson.ToElement(before), AlertRuleJson.ToElement(definition), changeNote);
            }
            await db.SaveChangesAsync(ct);
        }
        await signals.PublishAsync(ChangeTopics.Rules, "", ct);
        return versions;
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

    /// <summary>
    /// Checks the rule with <see cref="RuleValidation"/>, then builds its model once for a stand-in sensor, so a rule
    /// the engine would refuse is refused here, before it is stored and breaks every later reload. Models this
    /// deployment does not have yet are accepted: the engine skips them until it has them.
    /// </summary>
    private static void Validate(AlertRuleDefinition definition)
    {
        RuleValidation.ThrowIfInvalid(definition);
        if (definition.Model is MultivariateParameters)
        {
            return;
        }
        try
        {
            DetectorFactory.Create(definition.Model, new SensorContext("validation", default, "", 0, 100, TimeSpan.FromSeconds(1), TimeZoneInfo.Utc));
        }
        catch (NotSupportedException)
        {
            // A model that arrives later: the engine lists the rule as skipped until then.
        }
        catch (ArgumentException e)
        {
            // The validation missed a constraint of the model: still refuse, with the model's own words.
            throw new RuleValidationException([new RuleProblem("model", e.Message)]);
        }
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
