using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace CityOps.Web.Features.Accounts;

/// <summary>
/// Sign-in and sign-out as plain form posts: an interactive Blazor circuit cannot set cookies, so the
/// login page posts here and the answer is a redirect. Antiforgery is checked by hand so that an expired
/// form leads back to the login page with a message instead of a bare 400.
/// </summary>
internal static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    public const string AccessDeniedPath = "/account/access-denied";

    public static void Map(WebApplication app)
    {
        var group = app.MapGroup("/account").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        // The login page's component endpoint also accepts POST (for Blazor forms); this one must win.
        group.MapPost("/login", LoginAsync).WithOrder(-1);
        group.MapPost("/logout", LogoutAsync);
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, IAntiforgery antiforgery, SignInManager<CityOpsUser> signIn, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(AccountEndpoints).FullName!);
        if (!context.Request.HasFormContentType)
        {
            return Results.Redirect(LoginPage(LoginErrors.Expired, null));
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var returnUrl = SafeReturnUrl(form["returnUrl"]);
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.Redirect(LoginPage(LoginErrors.Expired, returnUrl));
        }
        var email = form["email"].ToString().Trim();
        var password = form["password"].ToString();
        var remember = form["rememberMe"] is var r && (r == "true" || r == "on");
        if (email.Length == 0 || password.Length == 0)
        {
            return Results.Redirect(LoginPage(LoginErrors.Missing, returnUrl));
        }

        var users = signIn.UserManager;
        var user = await users.FindByEmailAsync(email) ?? await users.FindByNameAsync(email);
        if (user is null)
        {
            logger.LogInformation("Sign-in failed: no user {Email}", email);
            return Results.Redirect(LoginPage(LoginErrors.Invalid, returnUrl));
        }
        var result = await signIn.PasswordSignInAsync(user, password, remember, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            user.LastSignInAt = time.GetUtcNow().UtcDateTime;
            var update = await users.UpdateAsync(user);
            if (!update.Succeeded)
            {
                logger.LogError("Could not record the sign-in time of {UserId}: {Errors}", user.Id, string.Join("; ", update.Errors.Select(e => e.Description)));
            }
            logger.LogInformation("User {UserId} signed in", user.Id);
            return Results.Redirect(returnUrl ?? "/");
        }
        if (result.IsLockedOut)
        {
            logger.LogWarning("Sign-in refused: user {UserId} is locked out", user.Id);
            return Results.Redirect(LoginPage(LoginErrors.LockedOut, returnUrl));
        }
        if (result.IsNotAllowed)
        {
            return Results.Redirect(LoginPage(LoginErrors.NotAllowed, returnUrl));
        }
        logger.LogInformation("Sign-in failed: wrong password for user {UserId}", user.Id);
        return Results.Redirect(LoginPage(LoginErrors.Invalid, returnUrl));
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery, SignInManager<CityOpsUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }
        await signIn.SignOutAsync();
        return Results.Redirect(LoginPath);
    }

    /// <summary>The login page's address with an error code and the page to return to.</summary>
    public static string LoginPage(string? error, string? returnUrl)
    {
        var query = new List<string>();
        if (error is not null)
        {
            query.Add($"error={Uri.EscapeDataString(error)}");
        }
        if (returnUrl is not null && returnUrl != "/")
        {
            query.Add($"ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        }
        return query.Count == 0 ? LoginPath : $"{LoginPath}?{string.Join('&', query)}";
    }

    /// <summary>Only paths on this site: an open redirect would let a phishing link borrow our login page.</summary>
    public static string? SafeReturnUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || url[0] != '/' || url.StartsWith("//", StringComparison.Ordinal) ||
            url.StartsWith("/\\", StringComparison.Ordinal) || url.Contains('\r') || url.Contains('\n'))
        {
            return null;
        }
        return url.StartsWith(LoginPath, StringComparison.OrdinalIgnoreCase) ? null : url;
    }
}
