using System.Security.Claims;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>A rule as the rules table lists it.</summary>
public sealed record RuleRow(AlertRuleDefinition Definition, bool Enabled, int Version, string? SavedBy, DateTime? SavedAt)
{
    public string Key => Definition.Key;
}

/// <summary>One saved version of a rule.</summary>
public sealed record RuleVersionRow(int Version, string SavedBy, DateTime SavedAt, string? ChangeNote, AlertRuleDefinition Definition);

/// <summary>A rule with its whole history, newest version first.</summary>
public sealed record RuleDetail(AlertRuleDefinition Definition, bool Enabled, int Version, IReadOnlyList<RuleVersionRow> Versions);

/// <summary>
/// What the rule pages do with rules, each operation on behalf of the signed-in administrator. The pages talk to this
/// and not to the store directly so that they can be tested without a database.
/// </summary>
public interface IRuleAdministration
{
    Task<IReadOnlyList<RuleRow>> ListAsync(CancellationToken ct);

    /// <summary>The rule and its versions; null when there is no such (undeleted) rule.</summary>
    Task<RuleDetail?> GetAsync(string key, CancellationToken ct);

    /// <summary>Saves a new version (or creates the rule); returns its version number.</summary>
    Task<int> SaveAsync(ClaimsPrincipal user, AlertRuleDefinition definition, string? changeNote, CancellationToken ct);

    /// <summary>Returns how many rules changed.</summary>
    Task<int> SetEnabledAsync(ClaimsPrincipal user, IReadOnlyCollection<string> keys, bool enabled, CancellationToken ct);

    Task DeleteAsync(ClaimsPrincipal user, string key, string? reason, CancellationToken ct);

    /// <summary>Makes an old version's definition the active one, as a new version; returns its number.</summary>
    Task<int> RestoreAsync(ClaimsPrincipal user, string key, int version, string? changeNote, CancellationToken ct);

    /// <summary>Copies a rule under a new key (as version 1 of a new rule).</summary>
    Task CloneAsync(ClaimsPrincipal user, string key, string newKey, CancellationToken ct);

    /// <summary>The given rules (all when null) as a JSON document that <see cref="ImportAsync"/> reads back.</summary>
    Task<string> ExportAsync(ClaimsPrincipal user, IReadOnlyCollection<string>? keys, CancellationToken ct);

    /// <summary>Imports a JSON document of rules; a dry run only reports what it would do.</summary>
    Task<RuleImportReport> ImportAsync(ClaimsPrincipal user, Stream json, bool dryRun, CancellationToken ct);
}

/// <summary>The rule pages' operations over the rule store.</summary>
internal sealed class RuleAdministration(IDbContextFactory<CityOpsDbContext> dbFactory, AlertRuleStore store) : IRuleAdministration
{
    public async Task<IReadOnlyList<RuleRow>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rules = await db.AlertRules.AsNoTracking().Where(r => r.DeletedAt == null).OrderBy(r => r.Key).ToListAsync(ct);
        var keys = rules.Select(r => r.Key).ToList();
        var saved = await db.AlertRuleVersions.AsNoTracking().Where(v => keys.Contains(v.RuleKey))
            .GroupBy(v => v.RuleKey)
            .Select(g => g.OrderByDescending(v => v.Version).Select(v => new { v.RuleKey, v.SavedBy, v.SavedAt }).First())
            .ToDictionaryAsync(v => v.RuleKey, ct);
        return [.. rules.Select(r => saved.TryGetValue(r.Key, out var s)
            ? new RuleRow(r.Definition, r.Enabled, r.Version, s.SavedBy, s.SavedAt)
            : new RuleRow(r.Definition, r.Enabled, r.Version, null, null))];
    }

    public async Task<RuleDetail?> GetAsync(string key, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rule = await db.AlertRules.AsNoTracking().SingleOrDefaultAsync(r => r.Key == key && r.DeletedAt == null, ct);
        if (rule is null)
        {
            return null;
        }
        var versions = await db.AlertRuleVersions.AsNoTracking().Where(v => v.RuleKey == key).OrderByDescending(v => v.Version)
            .Select(v => new RuleVersionRow(v.Version, v.SavedBy, v.SavedAt, v.ChangeNote, v.Definition)).ToListAsync(ct);
        return new RuleDetail(rule.Definition, rule.Enabled, rule.Version, versions);
    }

    public Task<int> SaveAsync(ClaimsPrincipal user, AlertRuleDefinition definition, string? changeNote, CancellationToken ct) =>
        store.SaveAsync(Checked(definition), AdminGuard.Demand(user), changeNote, ct);

    public Task<int> SetEnabledAsync(ClaimsPrincipal user, IReadOnlyCollection<string> keys, bool enabled, CancellationToken ct) =>
        store.SetEnabledAsync(keys, enabled, AdminGuard.Demand(user), null, ct);

    public Task DeleteAsync(ClaimsPrincipal user, string key, string? reason, CancellationToken ct) =>
        store.DeleteAsync(key, AdminGuard.Demand(user), reason, ct);

    public async Task<int> RestoreAsync(ClaimsPrincipal user, string key, int version, string? changeNote, CancellationToken ct)
    {
        var name = AdminGuard.Demand(user);
        var detail = await GetAsync(key, ct) ?? throw new KeyNotFoundException($"There is no alert rule '{key}'.");
        var old = detail.Versions.SingleOrDefault(v => v.Version == version)
            ?? throw new KeyNotFoundException($"The rule '{key}' has no version {version}.");
        var note = string.IsNullOrWhiteSpace(changeNote) ? $"Restored version {version}" : $"Restored version {version}: {changeNote}";
        return await store.SaveAsync(old.Definition, name, note, ct);
    }

    public async Task CloneAsync(ClaimsPrincipal user, string key, string newKey, CancellationToken ct)
    {
        var name = AdminGuard.Demand(user);
        var detail = await GetAsync(key, ct) ?? throw new KeyNotFoundException($"There is no alert rule '{key}'.");
        if (await GetAsync(newKey, ct) is not null)
        {
            throw new ArgumentException($"A rule with the key '{newKey}' already exists.", nameof(newKey));
        }
        await store.SaveAsync(Checked(detail.Definition with { Key = newKey }), name, $"Cloned from {key} version {detail.Version}", ct);
    }

    public async Task<string> ExportAsync(ClaimsPrincipal user, IReadOnlyCollection<string>? keys, CancellationToken ct)
    {
        AdminGuard.Demand(user);
        var rules = await ListAsync(ct);
        var chosen = rules.Where(r => keys is null || keys.Contains(r.Key)).Select(r => r.Definition with { Enabled = r.Enabled }).ToList();
        return JsonSerializer.Serialize(chosen, ExportOptions);
    }

    public async Task<RuleImportReport> ImportAsync(ClaimsPrincipal user, Stream json, bool dryRun, CancellationToken ct)
    {
        var name = AdminGuard.Demand(user);
        JsonElement document;
        try
        {
            document = await JsonSerializer.DeserializeAsync<JsonElement>(json, AlertRuleJson.Options, ct);
        }
        catch (JsonException e)
        {
            return new RuleImportReport(dryRun, [new RuleImportLine(1, null, RuleImportOutcome.Rejected, [$"The file is not JSON: {e.Message}"])]);
        }
        if (document.ValueKind != JsonValueKind.Array)
        {
            return new RuleImportReport(dryRun, [new RuleImportLine(1, null, RuleImportOutcome.Rejected, ["The file must hold a JSON array of rules."])]);
        }
        var existing = (await ListAsync(ct)).ToDictionary(r => r.Key);
        var lines = new List<RuleImportLine>();
        var position = 0;
        foreach (var element in document.EnumerateArray())
        {
            position++;
            AlertRuleDefinition definition;
            try
            {
                definition = element.Deserialize<AlertRuleDefinition>(AlertRuleJson.Options) ?? throw new JsonException("The rule is null.");
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
            {
                var key = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("key", out var k) ? k.GetString() : null;
                lines.Add(new RuleImportLine(position, key, RuleImportOutcome.Rejected, [$"The rule cannot be read: {e.Message}"]));
                continue;
            }
            var problems = RuleValidation.Validate(definition);
            if (problems.Count > 0)
            {
                lines.Add(new RuleImportLine(position, definition.Key, RuleImportOutcome.Rejected, [.. problems.Select(p => $"{p.Field}: {p.Message}")]));
                continue;
            }
            var outcome = !existing.TryGetValue(definition.Key, out var now) ? RuleImportOutcome.Created
                : AlertRuleJson.Serialize(now.Definition with { Enabled = now.Enabled }) == AlertRuleJson.Serialize(definition) ? RuleImportOutcome.Unchanged
                : RuleImportOutcome.Updated;
            lines.Add(new RuleImportLine(position, definition.Key, outcome, []));
            if (!dryRun && outcome != RuleImportOutcome.Unchanged)
            {
                await store.SaveAsync(definition, name, "Imported", ct);
            }
        }
        return new RuleImportReport(dryRun, lines);
    }

    private static readonly JsonSerializerOptions ExportOptions = new(AlertRuleJson.Options) { WriteIndented = true };

    private static AlertRuleDefinition Checked(AlertRuleDefinition definition)
    {
        var problems = RuleValidation.Validate(definition);
        return problems.Count == 0 ? definition
            : throw new ArgumentException(string.Join(" ", problems.Select(p => p.Message)), nameof(definition));
    }
}
