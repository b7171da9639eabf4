using System.Security.Claims;
using CityOps.Web.Data;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Cluster;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Administration.Keys;

/// <summary>A key as the administration page lists it; never its secret or hash.</summary>
public sealed record ApiKeyRow(
    Guid Id, string Label, string Prefix, ApiKeyScopes Scopes, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt,
    DateTime? LastUsedAt, ApiKeyUseSummary Use)
{
    public ApiKeyStatus StatusAt(DateTime now) =>
        RevokedAt is not null ? ApiKeyStatus.Revoked : ExpiresAt <= now ? ApiKeyStatus.Expired : ApiKeyStatus.Active;
}

public enum ApiKeyStatus { Active, Expired, Revoked }

/// <summary>What an administrator sets on a key: its label, scopes and (optional) expiry.</summary>
public sealed record ApiKeySettings(string Label, ApiKeyScopes Scopes, DateTime? ExpiresAt);

/// <summary>The API-key operations of the administration area (the page and <c>/api/v1/admin/keys</c> both use them).</summary>
public interface IApiKeyAdministration
{
    Task<IReadOnlyList<ApiKeyRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default);

    /// <summary>Creates a key; the returned secret is the only copy there will ever be.</summary>
    Task<CreatedApiKey> CreateAsync(ClaimsPrincipal user, ApiKeySettings settings, CancellationToken cancellationToken = default);

    Task<ApiKeyRow> UpdateAsync(ClaimsPrincipal user, Guid id, ApiKeySettings settings, CancellationToken cancellationToken = default);

    Task<ApiKeyRow> RevokeAsync(ClaimsPrincipal user, Guid id, CancellationToken cancellationToken = default);
}

/// <summary>
/// Each change is checked (<see cref="AdminGuard"/>), written with its audit entry in one SaveChanges, and then
/// announced on <see cref="ChangeTopics.ApiKeys"/> so that every node's verification cache forgets the key at once.
/// Invalid input throws <see cref="ArgumentException"/>; an unknown key <see cref="KeyNotFoundException"/>;
/// changing a revoked key <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class ApiKeyAdministration(
    IDbContextFactory<CityOpsDbContext> dbFactory, ApiKeyService keys, ApiKeyUsageMeter usage, AuditLog audit, ChangeSignals signals, TimeProvider time)
    : IApiKeyAdministration
{
    public const int MaxLabelLength = 200;

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        AdminGuard.Demand(user);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.ApiKeys.AsNoTracking().OrderBy(k => k.RevokedAt != null).ThenBy(k => k.Label).ThenBy(k => k.CreatedAt)
            .ToListAsync(cancellationToken);
        var use = await usage.ReadAsync(cancellationToken);
        return [.. rows.Select(k => ToRow(k, use.GetValueOrDefault(k.Id, ApiKeyUseSummary.None)))];
    }

    public async Task<CreatedApiKey> CreateAsync(ClaimsPrincipal user, ApiKeySettings settings, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        var valid = Validate(settings);
        var key = keys.NewKey(valid.Label, valid.Scopes, valid.ExpiresAt, out var secret);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        audit.Add(db, actor, AuditCategory.Administration, "apikey.created", Target(key.Id), before: null, after: Snapshot(key));
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(key.Id, key.Label, secret, key.Scopes, key.ExpiresAt);
    }

    public Task<ApiKeyRow> UpdateAsync(ClaimsPrincipal user, Guid id, ApiKeySettings settings, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        var valid = Validate(settings);
        return ChangeAsync(actor, id, "apikey.updated", key =>
        {
            key.Label = valid.Label;
            key.Scopes = valid.Scopes;
            key.ExpiresAt = valid.ExpiresAt;
        }, cancellationToken);
    }

    public Task<ApiKeyRow> RevokeAsync(ClaimsPrincipal user, Guid id, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        var now = time.GetUtcNow().UtcDateTime;
        return ChangeAsync(actor, id, "apikey.revoked", key => key.RevokedAt = now, cancellationToken);
    }

    private async Task<ApiKeyRow> ChangeAsync(string actor, Guid id, string action, Action<ApiKey> change, CancellationToken cancellationToken)
    {
        ApiKey key;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, cancellationToken)
                ?? throw new KeyNotFoundException($"There is no API key {id}.");
            if (key.RevokedAt is not null)
            {
                throw new InvalidOperationException($"The key \"{key.Label}\" is revoked; create a new key instead.");
            }
            var before = Snapshot(key);
            change(key);
            audit.Add(db, actor, AuditCategory.Administration, action, Target(id), before, Snapshot(key));
            await db.SaveChangesAsync(cancellationToken);
        }
        // After the commit: a node that re-verifies on this signal must read the new state.
        await signals.PublishAsync(ChangeTopics.ApiKeys, id.ToString(), cancellationToken);
        var use = await usage.ReadAsync(cancellationToken);
        return ToRow(key, use.GetValueOrDefault(id, ApiKeyUseSummary.None));
    }

    private ApiKeySettings Validate(ApiKeySettings settings)
    {
        var label = settings.Label?.Trim() ?? "";
        if (label.Length == 0)
        {
            throw new ArgumentException("Give the key a label that says which gateway or integration uses it.");
        }
        if (label.Length > MaxLabelLength)
        {
            throw new ArgumentException($"The label is longer than {MaxLabelLength} characters.");
        }
        var known = ApiKeyScopes.Ingest | ApiKeyScopes.Read;
        if (settings.Scopes == ApiKeyScopes.None || (settings.Scopes & ~known) != 0)
        {
            throw new ArgumentException("Choose the key's scopes: ingest, read or both.");
        }
        var expires = settings.ExpiresAt is { } e ? DateTime.SpecifyKind(e, e.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : e.Kind).ToUniversalTime() : (DateTime?)null;
        if (expires <= time.GetUtcNow().UtcDateTime)
        {
            throw new ArgumentException("The expiry must be in the future.");
        }
        return new ApiKeySettings(label, settings.Scopes, expires);
    }

    private static string Target(Guid id) => $"apikey:{id}";

    private static object Snapshot(ApiKey k) => new { k.Label, k.Prefix, Scopes = k.Scopes.ToString(), k.ExpiresAt, k.RevokedAt };

    private static ApiKeyRow ToRow(ApiKey k, ApiKeyUseSummary use) =>
        new(k.Id, k.Label, k.Prefix, k.Scopes, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, use);
}
