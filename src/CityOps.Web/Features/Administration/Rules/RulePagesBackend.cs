using System.Security.Claims;
using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>A rule as the rules table lists it, with who saved its active version and when.</summary>
public sealed record RuleRow(AlertRuleDefinition Definition, bool Enabled, int Version, string? SavedBy, DateTime? SavedAt)
{
    public string Key => Definition.Key;
}

/// <summary>A rule with its whole history, newest version first.</summary>
public sealed record RuleDetail(AlertRuleDefinition Definition, bool Enabled, int Version, IReadOnlyList<AdminRuleVersionView> Versions);

/// <summary>
/// What the rule pages do with rules, on behalf of the signed-in administrator: <see cref="RuleAdministration"/>'s
/// operations in the shapes the pages show. The pages depend on this rather than on the database-backed service so
/// that their behaviour can be tested without a database.
/// </summary>
public interface IRulePagesBackend
{
    Task<IReadOnlyList<RuleRow>> ListAsync(ClaimsPrincipal user, CancellationToken ct);

    /// <summary>The rule and its versions; null when there is no such (undeleted) rule.</summary>
    Task<RuleDetail?> GetAsync(ClaimsPrincipal user, string key, CancellationToken ct);

    /// <summary>Saves a new version (or creates the rule); returns its version number.</summary>
    /// <exception cref="RuleValidationException">The definition is invalid.</exception>
    Task<int> SaveAsync(ClaimsPrincipal user, AlertRuleDefinition definition, string? changeNote, CancellationToken ct);

    /// <summary>Returns how many rules changed.</summary>
    Task<int> SetEnabledAsync(ClaimsPrincipal user, IReadOnlyCollection<string> keys, bool enabled, CancellationToken ct);

    Task DeleteAsync(ClaimsPrincipal user, string key, string? reason, CancellationToken ct);

    /// <summary>Makes an old version the active one, as a new version; returns its number.</summary>
    Task<int> RestoreAsync(ClaimsPrincipal user, string key, int version, string? changeNote, CancellationToken ct);

    /// <summary>Copies a rule under a new key (disabled, version 1).</summary>
    /// <exception cref="InvalidOperationException">The new key is taken.</exception>
    Task CloneAsync(ClaimsPrincipal user, string key, string newKey, CancellationToken ct);

    /// <summary>The given rules (all when null) as an export document.</summary>
    Task<string> ExportAsync(ClaimsPrincipal user, IReadOnlyCollection<string>? keys, CancellationToken ct);

    /// <summary>Imports an export document; a dry run only reports what it would do.</summary>
    /// <exception cref="FormatException">The file is not an alert-rule export.</exception>
    Task<RuleImportReport> ImportAsync(ClaimsPrincipal user, string json, bool dryRun, CancellationToken ct);
}

internal sealed class RulePagesBackend(RuleAdministration rules, IDbContextFactory<CityOpsDbContext> dbFactory) : IRulePagesBackend
{
    public async Task<IReadOnlyList<RuleRow>> ListAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var list = await rules.ListAsync(user, ct);
        // Who saved each active version: one query for the table rather than one per rule.
        var keys = list.Select(r => r.Key).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var saved = (await db.AlertRuleVersions.AsNoTracking().Where(v => keys.Contains(v.RuleKey))
                .Select(v => new { v.RuleKey, v.Version, v.SavedBy, v.SavedAt }).ToListAsync(ct))
            .ToDictionary(v => (v.RuleKey, v.Version));
        return [.. list.Select(r => saved.TryGetValue((r.Key, r.Version), out var s)
            ? new RuleRow(r.Definition with { Enabled = r.Enabled }, r.Enabled, r.Version, s.SavedBy, s.SavedAt)
            : new RuleRow(r.Definition with { Enabled = r.Enabled }, r.Enabled, r.Version, null, null))];
    }

    public async Task<RuleDetail?> GetAsync(ClaimsPrincipal user, string key, CancellationToken ct)
    {
        if (await rules.GetAsync(user, key, ct) is not { } rule)
        {
            return null;
        }
        var versions = await rules.ListVersionsAsync(user, key, ct);
        return new RuleDetail(rule.Definition with { Enabled = rule.Enabled }, rule.Enabled, rule.Version, [.. versions.Select(AdminRuleVersionView.From)]);
    }

    public Task<int> SaveAsync(ClaimsPrincipal user, AlertRuleDefinition definition, string? changeNote, CancellationToken ct) =>
        rules.SaveAsync(user, definition, changeNote, ct);

    public Task<int> SetEnabledAsync(ClaimsPrincipal user, IReadOnlyCollection<string> keys, bool enabled, CancellationToken ct) =>
        rules.SetEnabledAsync(user, keys, enabled, null, ct);

    public Task DeleteAsync(ClaimsPrincipal user, string key, string? reason, CancellationToken ct) =>
        rules.DeleteAsync(user, key, reason, ct);

    public Task<int> RestoreAsync(ClaimsPrincipal user, string key, int version, string? changeNote, CancellationToken ct) =>
        rules.RestoreAsync(user, key, version, changeNote, ct);

    public Task CloneAsync(ClaimsPrincipal user, string key, string newKey, CancellationToken ct) =>
        rules.CloneAsync(user, key, newKey, ct);

    public Task<string> ExportAsync(ClaimsPrincipal user, IReadOnlyCollection<string>? keys, CancellationToken ct) =>
        rules.ExportAsync(user, keys, ct);

    public Task<RuleImportReport> ImportAsync(ClaimsPrincipal user, string json, bool dryRun, CancellationToken ct) =>
        rules.ImportAsync(user, json, dryRun, ct);
}
