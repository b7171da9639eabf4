using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.ApiKeys;

public static class ApiKeysExtensions
{
    public static void AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<ApiKeyService>();
        builder.Services.AddSingleton<ApiKeyUsageMeter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsageMeter>());
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddSingleton<IConfigureOptions<AuthorizationOptions>, ApiPolicySetup>();
        if (builder.Configuration.GetValue("CityOps:DemoMode", false))
        {
            builder.Services.AddSingleton<IDatabaseSeeder, DemoApiKeySeeder>();
        }
    }

    /// <summary>
    /// Builds the API policies. The Read policy accepts the Identity cookie when the application has it
    /// (accounts are set up by another feature), and API keys always.
    /// </summary>
    private sealed class ApiPolicySetup(IAuthenticationSchemeProvider schemes) : IConfigureOptions<AuthorizationOptions>
    {
        public void Configure(AuthorizationOptions options)
        {
            options.AddPolicy(ApiPolicies.Ingest, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(ApiKeyClaims.Scope, ApiKeyClaims.IngestScope));

            // The scheme provider answers synchronously; options setup has no async hook.
            var hasCookie = schemes.GetSchemeAsync(IdentityConstants.ApplicationScheme).GetAwaiter().GetResult() is not null;
            // The API-key scheme goes last so that its problem-details challenge is the answer that is written.
            string[] readSchemes = hasCookie
                ? [IdentityConstants.ApplicationScheme, ApiKeyAuthenticationHandler.SchemeName]
                : [ApiKeyAuthenticationHandler.SchemeName];
            options.AddPolicy(ApiPolicies.Read, p => p
                .AddAuthenticationSchemes(readSchemes)
                .RequireAuthenticatedUser()
                .RequireAssertion(c => c.User.HasClaim(ApiKeyClaims.Scope, ApiKeyClaims.ReadScope) || Roles.All.Any(c.User.IsInRole)));
        }
    }
}
