using System.Net;
using System.Text.RegularExpressions;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>Signs in the way a browser does: fetch the login form for its antiforgery token, post it.</summary>
public static partial class AccountClient
{
    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public static HttpClient CreateBrowserLikeClient(this WebApplicationFactory<Program> app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static async Task<string> GetLoginTokenAsync(HttpClient client)
    {
        var html = await client.GetStringAsync("/account/login", TestContext.Current.CancellationToken);
        return TokenPattern().Match(html) is { Success: true } m
            ? WebUtility.HtmlDecode(m.Groups[1].Value)
            : throw new InvalidOperationException("The login page has no antiforgery token.");
    }

    public static async Task<HttpResponseMessage> SignInAsync(
        HttpClient client, string email, string password, string? returnUrl = null, bool includeToken = true, bool rememberMe = false)
    {
        var fields = new Dictionary<string, string> { ["email"] = email, ["password"] = password };
        if (rememberMe)
        {
            fields["rememberMe"] = "true";
        }
        if (includeToken)
        {
            fields["__RequestVerificationToken"] = await GetLoginTokenAsync(client);
        }
        if (returnUrl is not null)
        {
            fields["returnUrl"] = returnUrl;
        }
        return await client.PostAsync("/account/login", new FormUrlEncodedContent(fields), TestContext.Current.CancellationToken);
    }

    /// <summary>Creates a user with the given roles through Identity, as an administrator would.</summary>
    public static async Task<CityOpsUser> CreateUserAsync(IServiceProvider services, string email, string password, params string[] roles)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();
        var user = new CityOpsUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        foreach (var role in roles)
        {
            Check(await users.AddToRoleAsync(user, role));
        }
        return user;
    }

    public static async Task<CityOpsUser?> FindUserAsync(IServiceProvider services, string email)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>().FindByEmailAsync(email);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
