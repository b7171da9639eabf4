using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Accounts;

/// <summary>
/// A control-room screen stays open for a whole shift. The circuit re-checks the user's security stamp
/// every few minutes, so a locked, deleted or password-changed account loses its open screens too.
/// </summary>
internal sealed class CircuitRevalidation(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> identityOptions)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(5);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
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
        var claimed = state.User.FindFirstValue(identityOptions.Value.ClaimsIdentity.SecurityStampClaimType);
        return claimed == await users.GetSecurityStampAsync(user);
    }
}
