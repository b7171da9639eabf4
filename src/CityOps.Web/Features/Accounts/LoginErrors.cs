namespace CityOps.Web.Features.Accounts;

/// <summary>The codes the sign-in endpoint sends back to the login page, and what the page says for each.</summary>
public static class LoginErrors
{
    public const string Invalid = "invalid";
    public const string Missing = "missing";
    public const string LockedOut = "locked";
    public const string NotAllowed = "notallowed";
    public const string Expired = "expired";

    public static string? Describe(string? code, int maxAttempts, TimeSpan lockout) => code switch
    {
        null or "" => null,
        Invalid => "The email or password is not correct.",
        Missing => "Enter your email and password.",
        LockedOut => $"This account is locked after {maxAttempts} failed sign-in attempts. Try again in {FormatDuration(lockout)}, or ask an administrator to unlock it.",
        NotAllowed => "This account may not sign in. Ask an administrator.",
        Expired => "The sign-in form expired. Please try again.",
        _ => "Sign-in failed. Please try again.",
    };

    private static string FormatDuration(TimeSpan span) =>
        span.TotalMinutes >= 1 ? $"{Math.Ceiling(span.TotalMinutes):0} minutes" : $"{Math.Ceiling(span.TotalSeconds):0} seconds";
}
