using System.Security.Claims;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>
/// The rule editor's operations for a signed-in administrator: each checks the caller first
/// (<see cref="AdminGuard.Demand"/>) and records the administrator as the actor. Pages and the admin API both call these.
/// </summary>
public sealed class RuleAdministration(AlertRuleStore store, RuleTransferService transfer, IRuleBacktester backtester, TimeProvider time)
{
    /// <summary>How much history a backtest reads when the caller does not say.</summary>
    public static readonly TimeSpan DefaultBacktestRange = TimeSpan.FromDays(7);

    public Task<IReadOnlyList<AlertRule>> ListAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        AdminGuard.Demand(user);
        return store.ListAsync(ct);
    }

    public Task<AlertRule?> GetAsync(ClaimsPrincipal user, string key, CancellationToken ct)
    {
        AdminGuard.Demand(user);
        return store.GetAsync(key, ct);
    }

    public Task<IReadOnlyList<AlertRuleVersion>> ListVersionsAsync(ClaimsPrincipal user, string key, CancellationToken ct)
    {
        AdminGuard.Demand(user);
        return store.ListVersionsAsync(key, ct);
    }

    /// <exception cref="RuleValidationException">The definition is invalid.</exception>
    public Task<int> SaveAsync(ClaimsPrincipal user, AlertRuleDefinition definition, string? changeNote, CancellationToken ct) =>
        store.SaveAsync(definition, AdminGuard.Demand(user), changeNote, ct);

    public Task<int> CloneAsync(ClaimsPrincipal user, string key, string newKey, CancellationToken ct) =>
        store.CloneAsync(key, newKey, AdminGuard.Demand(user), ct);

    /// <summary>Returns how many of the rules changed (already in that state: 0).</summary>
    public Task<int> SetEnabledAsync(ClaimsPrincipal user, IReadOnlyCollection<string> keys, bool enabled, string? reason, CancellationToken ct) =>
        store.SetEnabledAsync(keys, enabled, AdminGuard.Demand(user), reason, ct);

    public Task DeleteAsync(ClaimsPrincipal user, string key, string? reason, CancellationToken ct) =>
        store.DeleteAsync(key, AdminGuard.Demand(user), reason, ct);

    public Task<int> RestoreAsync(ClaimsPrincipal user, string key, int version, string? note, CancellationToken ct) =>
        store.RestoreAsync(key, version, AdminGuard.Demand(user), note, ct);

    /// <summary>Backtests over [from, to); without them, the last <see cref="DefaultBacktestRange"/>.</summary>
    public Task<BacktestReport> BacktestAsync(ClaimsPrincipal user, AlertRuleDefinition definition, DateTime? from, DateTime? to,
        IProgress<BacktestProgress>? progress, CancellationToken ct)
    {
        AdminGuard.Demand(user);
        var end = to ?? time.GetUtcNow().UtcDateTime;
        var start = from ?? end - DefaultBacktestRange;
        return backtester.RunAsync(definition, start, end, progress, ct);
    }

    public Task<string> ExportAsync(ClaimsPrincipal user, IReadOnlyCollection<string>? keys, CancellationToken ct)
    {
        AdminGuard.Demand(user);
        return transfer.ExportAsync(keys, ct);
    }

    public Task<RuleImportReport> ImportAsync(ClaimsPrincipal user, string json, bool dryRun, CancellationToken ct) =>
        transfer.ImportAsync(json, AdminGuard.Demand(user), dryRun, ct);
}
