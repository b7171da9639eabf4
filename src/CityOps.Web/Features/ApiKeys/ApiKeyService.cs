using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CityOps.Web.Data;
using CityOps.Web.Features.Cluster;
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
/// hash of the whole secret is stored. Verified keys are cached for a few seconds; a change to a key (revoked,
/// expiry, scopes, label) is announced on <see cref="ChangeTopics.ApiKeys"/> and evicts it from every node's cache at
/// once, so the cache duration (<c>ApiKeys:CacheDuration</c>, default 5 s) only bounds how long a lost notification could go unnoticed.
/// </summary>
public sealed class ApiKeyService : IDisposable
{
    public static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StaleLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);
    private const string Alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly ConcurrentDictionary<Guid, DateTime> _lastTouched = new();
    // Which cache entry holds a key, so that a change to one key evicts it.
    private readonly ConcurrentDictionary<Guid, string> _cacheKeyOf = new();
    private readonly IDbContextFactory<CityOpsDbContext> _dbFactory;
    private readonly TimeProvider _time;
    private readonly ChangeSignals _signals;
    private readonly ApiKeyUsageMeter _usage;
    private readonly ILogger<ApiKeyService> _logger;
    private readonly IDisposable _subscription;
    private readonly TimeSpan _cacheDuration;
    // Bumped by every change: a verification that started before a change must not count as fresh after it.
    private long _generation;

    public ApiKeyService(
        IDbContextFactory<CityOpsDbContext> dbFactory, TimeProvider time, ChangeSignals signals, ApiKeyUsageMeter usage,
        IConfiguration configuration, ILogger<ApiKeyService> logger)
    {
        _cacheDuration = configuration.GetValue("ApiKeys:CacheDuration", DefaultCacheDuration);
        _dbFactory = dbFactory;
        _time = time;
        _signals = signals;
        _usage = usage;
        _logger = logger;
        _subscription = signals.Subscribe(ChangeTopics.ApiKeys, (payload, _) =>
        {
            Forget(payload);
            return Task.CompletedTask;
        });
    }

    /// <summary>Creates a key and returns its secret, which cannot be retrieved later.</summary>
    public async Task<CreatedApiKey> CreateAsync(
        string label, ApiKeyScopes scopes, DateTime? expiresAt = null, CancellationToken cancellationToken = default)
    {
        var key = NewKey(label, scopes, expiresAt, out var secret);
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(key.Id, key.Label, secret, scopes, key.ExpiresAt);
    }

    /// <summary>A new key with a fresh secret, not yet stored: the caller adds it (with its audit entry) and saves.</summary>
    public ApiKey NewKey(string label, ApiKeyScopes scopes, DateTime? expiresAt, out string secret)
    {
        secret = $"co_{RandomNumberGenerator.GetString(Alphabet, 8)}_{RandomNumberGenerator.GetString(Alphabet, 32)}";
        return NewKeyWithSecret(label, secret, scopes, expiresAt);
    }

    /// <summary>Stores a key with a given secret (the documented demo key); prefer <see cref="CreateAsync"/>.</summary>
    internal async Task<ApiKey> StoreAsync(string label, string secret, ApiKeyScopes scopes, DateTime? expiresAt, CancellationToken cancellationToken)
    {
        var key = NewKeyWithSecret(label, secret, scopes, expiresAt);
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    private ApiKey NewKeyWithSecret(string label, string secret, ApiKeyScopes scopes, DateTime? expiresAt) => new()
    {
        Id = Guid.CreateVersion7(_time.GetUtcNow()),
        Label = label,
        Prefix = PrefixOf(secret),
        SecretHash = Hash(secret),
        Scopes = scopes,
        CreatedAt = _time.GetUtcNow().UtcDateTime,
        ExpiresAt = expiresAt?.ToUniversalTime(),
    };

    /// <summary>Revokes a key without an audit entry (tests, tools); administrators revoke through the administration area.</summary>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var now = _time.GetUtcNow().UtcDateTime;
        var changed = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, now), cancellationToken);
        if (changed > 0)
        {
            await _signals.PublishAsync(ChangeTopics.ApiKeys, id.ToString(), cancellationToken);
        }
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
        var now = _time.GetUtcNow().UtcDateTime;
        _cache.TryGetValue(cacheKey, out Verification? known);
        var generation = Interlocked.Read(ref _generation);
        if (known is null || now - known.VerifiedAt >= _cacheDuration || known.Generation != generation)
        {
            try
            {
                known = new Verification(await LookUpAsync(PrefixOf(secret), hash, cancellationToken), now, generation);
                _cache.Set(cacheKey, known, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = StaleLimit });
                if (known.Identity is { } found)
                {
                    _cacheKeyOf[found.Id] = cacheKey;
                }
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
        _usage.Count(identity.Id);
        Touch(identity.Id, now);
        return identity;
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _cache.Dispose();
    }

    /// <summary>A key changed (its id) or possibly any key (empty): the next request with it is verified again.</summary>
    private void Forget(string payload)
    {
        Interlocked.Increment(ref _generation);
        if (Guid.TryParse(payload, out var id))
        {
            // Removed, not only stale: while the database is unreachable a stale entry would still be honoured.
            if (_cacheKeyOf.TryRemove(id, out var cacheKey))
            {
                _cache.Remove(cacheKey);
            }
        }
        else
        {
            _cacheKeyOf.Clear();
            _cache.Clear();
        }
    }

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

    private sealed record Verification(ApiKeyIdentity? Identity, DateTime VerifiedAt, long Generation);

    private async Task<ApiKeyIdentity?> LookUpAsync(string prefix, byte[] hash, CancellationToken cancellationToken)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
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
            await using var db = await _dbFactory.CreateDbContextAsync();
            await db.ApiKeys.Where(k => k.Id == id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now));
        }
        catch (Exception e)
        {
            // Bookkeeping only: a failure must not fail the request that used the key.
            _logger.LogWarning(e, "Could not record the use of API key {ApiKeyId}", id);
        }
    }
}
