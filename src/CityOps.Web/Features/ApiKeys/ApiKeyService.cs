using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace CityOps.Web.Features.ApiKeys;

/// <summary>A key as just created: <see cref="Secret"/> is shown once and never stored.</summary>
public sealed record CreatedApiKey(Guid Id, string Label, string Secret, ApiKeyScopes Scopes, DateTime? ExpiresAt);

/// <summary>The key store (the database) cannot be reached to verify a key not seen recently.</summary>
public sealed class ApiKeyStoreUnavailableException(Exception inner) : Exception("The API key store is unavailable.", inner);

/// <summary>A valid key as the authentication handler sees it.</summary>
public sealed record ApiKeyIdentity(Guid Id, string Label, ApiKeyScopes Scopes, DateTime? ExpiresAt);

/// <summary>
/// Creates, revokes and verifies API keys. Secrets look like <c>co_XXXXXXXX_</c> + 32 random characters;
/// the 8-character part is the stored <see cref="ApiKey.Prefix"/> that finds the row, and only a SHA-256
/// hash of the whole secret is stored. Verified keys are cached for a few seconds, so a revocation takes
/// effect within <see cref="CacheDuration"/>.
/// </summary>
public sealed class ApiKeyService(IDbContextFactory<CityOpsDbContext> dbFactory, TimeProvider time, ILogger<ApiKeyService> logger) : IDisposable
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StaleLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly ConcurrentDictionary<Guid, DateTime> _lastTouched = new();

    /// <summary>Creates a key and returns its secret, which cannot be retrieved later.</summary>
    public async Task<CreatedApiKey> CreateAsync(
        string label, ApiKeyScopes scopes, DateTime? expiresAt = null, CancellationToken cancellationToken = default)
    {
        var secret = $"co_{RandomNumberGenerator.GetString(Alphabet, 8)}_{RandomNumberGenerator.GetString(Alphabet, 32)}";
        var key = await StoreAsync(label, secret, scopes, expiresAt, cancellationToken);
        return new CreatedApiKey(key.Id, key.Label, secret, scopes, expiresAt);
    }

    /// <summary>Stores a key with a given secret (the documented demo key); prefer <see cref="CreateAsync"/>.</summary>
    internal async Task<ApiKey> StoreAsync(string label, string secret, ApiKeyScopes scopes, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            Label = label,
            Prefix = PrefixOf(secret),
            SecretHash = Hash(secret),
            Scopes = scopes,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            ExpiresAt = expiresAt?.ToUniversalTime(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        return changed > 0;
    }

    /// <summary>
    /// Finds the valid (not expired, not revoked) key with this secret, or null. While the database is
    /// unreachable, a key verified before keeps working (there is nothing to protect that the outage
    /// does not already stop); an unknown one throws <see cref="ApiKeyStoreUnavailableException"/>.
    /// </summary>
    public async Task<ApiKeyIdentity?> VerifyAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = Hash(secret);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow().UtcDateTime;
        _cache.TryGetValue(cacheKey, out Verification? known);
        if (known is null || now - known.VerifiedAt >= CacheDuration)
        {
            try
            {
                known = new Verification(await LookUpAsync(PrefixOf(secret), hash, cancellationToken), now);
                _cache.Set(cacheKey, known, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = StaleLimit });
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException)
            {
                if (known is null)
                {
                    throw new ApiKeyStoreUnavailableException(e);
                }
            }
        }
        var identity = known.Identity;
        if (identity is null || identity.ExpiresAt <= now)
        {
            return null;
        }
        Touch(identity.Id, now);
        return identity;
    }

    public void Dispose() => _cache.Dispose();

    internal static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    internal static string PrefixOf(string secret)
    {
        // co_XXXXXXXX_…: the 8 characters after "co_"; any other secret (a configured demo key): its first 8 characters.
        if (secret.Length > 12 && secret.StartsWith("co_", StringComparison.Ordinal) && secret[11] == '_')
        {
            return secret.Substring(3, 8);
        }
        return secret.Length <= 8 ? secret : secret[..8];
    }

    private sealed record Verification(ApiKeyIdentity? Identity, DateTime VerifiedAt);

    private async Task<ApiKeyIdentity?> LookUpAsync(string prefix, byte[] hash, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix && k.RevokedAt == null)
            .Select(k => new { k.Id, k.Label, k.Scopes, k.ExpiresAt, k.SecretHash })
            .ToListAsync(cancellationToken);
        var match = candidates.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(k.SecretHash, hash));
        return match is null ? null : new ApiKeyIdentity(match.Id, match.Label, match.Scopes, match.ExpiresAt);
    }

    private void Touch(Guid id, DateTime now)
    {
        if (_lastTouched.TryGetValue(id, out var last) && now - last < LastUsedResolution)
        {
            return;
        }
        _lastTouched[id] = now;
        _ = RecordUseAsync(id, now);
    }

    private async Task RecordUseAsync(Guid id, DateTime now)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now));
        }
        catch (Exception e)
        {
            // Bookkeeping only: a failure must not fail the request that used the key.
            logger.LogWarning(e, "Could not record the use of API key {ApiKeyId}", id);
        }
    }
}
