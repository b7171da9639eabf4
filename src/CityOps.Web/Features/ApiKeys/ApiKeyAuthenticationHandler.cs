using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.ApiKeys;

/// <summary>
/// Authenticates API keys from the <c>X-Api-Key</c> header, an <c>Authorization: Bearer</c> header, or the
/// <c>access_token</c> query parameter (browsers cannot set headers on WebSocket connections).
/// Challenges and forbids with problem details instead of redirects.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    private const string StoreUnavailableItem = "CityOps.ApiKeyStoreUnavailable";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = ReadSecret();
        if (string.IsNullOrEmpty(secret))
        {
            return AuthenticateResult.NoResult();
        }
        ApiKeyIdentity? key;
        try
        {
            key = await keys.VerifyAsync(secret, Context.RequestAborted);
        }
        catch (ApiKeyStoreUnavailableException e)
        {
            Context.Items[StoreUnavailableItem] = true;
            return AuthenticateResult.Fail(e);
        }
        if (key is null)
        {
            return AuthenticateResult.Fail("The API key is invalid, expired or revoked.");
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, key.Id.ToString()),
            new(ClaimTypes.Name, key.Label),
        };
        if (key.Scopes.HasFlag(ApiKeyScopes.Ingest))
        {
            claims.Add(new Claim(ApiKeyClaims.Scope, ApiKeyClaims.IngestScope));
        }
        if (key.Scopes.HasFlag(ApiKeyScopes.Read))
        {
            claims.Add(new Claim(ApiKeyClaims.Scope, ApiKeyClaims.ReadScope));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(StoreUnavailableItem))
        {
            Response.Headers.RetryAfter = "5";
            return WriteProblemAsync(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                "The API key cannot be verified because the database is unavailable; retry later.");
        }
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized",
            ReadSecret() is { Length: > 0 }
                ? "The API key is invalid, expired or revoked."
                : $"Authenticate with an API key in the {HeaderName} header.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "The API key does not have the scope this operation needs.");

    private string? ReadSecret()
    {
        if (Request.Headers.TryGetValue(HeaderName, out var header) && header.Count > 0)
        {
            return header[0];
        }
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        return Request.Query.TryGetValue("access_token", out var token) ? token.ToString() : null;
    }

    private async Task WriteProblemAsync(int status, string title, string detail)
    {
        // With several schemes on a policy, another handler may already have answered.
        if (Response.HasStarted)
        {
            return;
        }
        Response.Headers.Remove("Location");
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
