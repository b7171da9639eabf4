using System.Collections.Concurrent;
using System.Security.Claims;
using CityOps.Web.Features.Cluster;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace CityOps.Web.Features.Accounts;

/// <summary>
/// Which users an administrator changed (roles, lock, password, deletion) since when, on this node, learnt from
/// <see cref="ChangeTopics.Users"/>. A sign-in cookie issued before its user's change is checked against the database
/// on its next request instead of at the periodic security-stamp check (every 30 minutes), so the change takes effect
/// at once on every node. Entries older than the longest cookie lifetime are forgotten.
/// </summary>
public sealed class UserChanges : IHostedService, IDisposable
{
    private static readonly TimeSpan Memory = TimeSpan.FromHours(13);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _changedAt = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private DateTimeOffset _everyoneAt = DateTimeOffset.MinValue;

    public UserChanges(ChangeSignals signals, TimeProvider time)
    {
        _time = time;
        _subscription = signals.Subscribe(ChangeTopics.Users, (payload, _) =>
        {
            Record(payload);
            return Task.CompletedTask;
        });
    }

    /// <summary>Whether <paramref name="userId"/> (or everyone, after a missed notification) changed at or after <paramref name="since"/>.</summary>
    public bool ChangedSince(string userId, DateTimeOffset? since)
    {
        var at = since ?? DateTimeOffset.MinValue;
        return _everyoneAt >= at || (_changedAt.TryGetValue(userId, out var changed) && changed >= at);
    }

    /// <summary>Whether <paramref name="userId"/> (or everyone) changed within the last <paramref name="window"/>.</summary>
    public bool ChangedWithin(string userId, TimeSpan window) => ChangedSince(userId, _time.GetUtcNow() - window);

    /// <summary>
    /// The cookie's principal check: a cookie of a changed user is validated against the database now, then the
    /// framework's periodic security-stamp check runs as usual.
    /// </summary>
    internal static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var changes = context.HttpContext.RequestServices.GetRequiredService<UserChanges>();
        if (context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId && changes.ChangedSince(userId, context.Properties.IssuedUtc))
        {
            var signIn = context.HttpContext.RequestServices.GetRequiredService<SignInManager<CityOpsUser>>();
            var user = await signIn.ValidateSecurityStampAsync(context.Principal);
            if (user is null || await signIn.UserManager.IsLockedOutAsync(user))
            {
                context.RejectPrincipal();
                await signIn.SignOutAsync();
                return;
            }
            // Still valid (the change did not touch the sign-in): a fresh cookie, so this check is not repeated.
            context.ReplacePrincipal(await signIn.CreateUserPrincipalAsync(user));
            context.ShouldRenew = true;
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }

    // A hosted service only so that it subscribes at start-up: a cookie another node issued before a change may
    // arrive before anything else on this node asked for this service.
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription.Dispose();

    private void Record(string userId)
    {
        var now = _time.GetUtcNow();
        if (userId.Length == 0)
        {
            _everyoneAt = now;
            _changedAt.Clear();
            return;
        }
        _changedAt[userId] = now;
        foreach (var (id, at) in _changedAt)
        {
            if (now - at > Memory)
            {
                _changedAt.TryRemove(id, out _);
            }
        }
    }
}
