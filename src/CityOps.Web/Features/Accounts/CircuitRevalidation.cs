using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using CityOps.Web.Features.Cluster;

namespace CityOps.Web.Features.Accounts;

/// <summary>
/// A control-room screen stays open for a whole shift. The circuit re-checks the user's security stamp
/// every <c>Accounts:RevalidationInterval</c> (default five minutes), so a locked, deleted or
/// password-changed account loses its open screens too; when an administrator changes this user
/// (<see cref="ChangeTopics.Users"/>, from any node) it re-checks at once.
/// </summary>
internal sealed class CircuitRevalidation : RevalidatingServerAuthenticationStateProvider
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<IdentityOptions> _identityOptions;
    private readonly ILogger<CircuitRevalidation> _logger;
    private readonly IDisposable _subscription;
    private readonly UserChanges _changes;

    public CircuitRevalidation(
        ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> identityOptions, IConfiguration configuration,
        ChangeSignals signals, UserChanges changes)
        : base(loggerFactory)
    {
        _changes = changes;
        _scopes = scopes;
        _identityOptions = identityOptions;
        _logger = loggerFactory.CreateLogger<CircuitRevalidation>();
        RevalidationInterval = configuration.GetValue("Accounts:RevalidationInterval", TimeSpan.FromMinutes(5));
        _subscription = signals.Subscribe(ChangeTopics.Users, OnUserChangedAsync);
        // A circuit may start with a principal read just before a change it then never hears of (the signal came while
        // the circuit was being set up): check such a user at once instead of at the next periodic check.
        AuthenticationStateChanged += state => _ = CheckNewStateAsync(state);
    }

    protected override TimeSpan RevalidationInterval { get; }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _subscription.Dispose();
        }
        base.Dispose(disposing);
    }

    private async Task CheckNewStateAsync(Task<AuthenticationState> task)
    {
        try
        {
            var state = await task;
            if (state.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId && _changes.ChangedWithin(userId, RevalidationInterval))
            {
                await RevalidateAsync(state, CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Could not re-check the user of a new circuit");
        }
    }

    private async Task RevalidateAsync(AuthenticationState state, CancellationToken cancellationToken)
    {
        if (!await ValidateAuthenticationStateAsync(state, cancellationToken))
        {
            _logger.LogInformation("Signing out an open screen of user {UserId}: an administrator changed the account",
                state.User.FindFirstValue(ClaimTypes.NameIdentifier));
            SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        }
    }

    private async Task OnUserChangedAsync(string userId, CancellationToken cancellationToken)
    {
        AuthenticationState state;
        try
        {
            state = await GetAuthenticationStateAsync();
        }
        catch (InvalidOperationException)
        {
            // A request's scope that never set a state (not a circuit): nothing open to sign out.
            return;
        }
        if (state.User.Identity?.IsAuthenticated != true ||
            (userId.Length > 0 && userId != state.User.FindFirstValue(ClaimTypes.NameIdentifier)))
        {
            return;
        }
        await RevalidateAsync(state, cancellationToken);
    }

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();
        var user = await users.GetUserAsync(state.User);
        if (user is null || await users.IsLockedOutAsync(user))
        {
            return false;
        }
        if (!users.SupportsUserSecurityStamp)
        {
            return true;
        }
        var claimed = state.User.FindFirstValue(_identityOptions.Value.ClaimsIdentity.SecurityStampClaimType);
        return claimed == await users.GetSecurityStampAsync(user);
    }
}
