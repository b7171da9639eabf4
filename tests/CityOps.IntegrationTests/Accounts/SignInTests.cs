using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Accounts;

public class SignInTests(AccountsAppFixture fixture) : IClassFixture<AccountsAppFixture>
{
    private CityOpsAppFactory App => fixture.App;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Home_Anonymous_RedirectsToLoginWithReturnUrl()
    {
        var client = App.CreateBrowserLikeClient();

        var response = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/login", response.Headers.Location!.AbsolutePath);
        Assert.Contains("ReturnUrl=%2F", response.Headers.Location.Query);
    }

    [Fact]
    public async Task ApiAndHubs_AnonymousChallenge_Answer401InsteadOfRedirect()
    {
        // Stand-ins for protected API and hub endpoints: they challenge the cookie scheme like [Authorize] does.
        await using var app = App.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ChallengeProbe>()));
        var client = app.CreateBrowserLikeClient();

        var api = await client.GetAsync("/api/v1/probe", Ct);
        var hub = await client.GetAsync("/hubs/probe", Ct);
        var page = await client.GetAsync("/probe", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Null(api.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, hub.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
    }

    [Fact]
    public async Task ApiForbidden_SignedInWithoutRights_Answers403()
    {
        await using var app = App.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, ChallengeProbe>()));
        var client = app.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, AccountsAppFixture.NoRoleEmail, AccountsAppFixture.Password);

        var api = await client.GetAsync("/api/v1/probe-forbid", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
    }

    [Theory]
    [InlineData("operator@cityops.local", Roles.Operator)]
    [InlineData("manager@cityops.local", Roles.Manager)]
    [InlineData("admin@cityops.local", Roles.Administrator)]
    public async Task SignIn_DemoUser_OpensHomeAndRecordsSignInTime(string email, string role)
    {
        var client = App.CreateBrowserLikeClient();
        var before = DateTime.UtcNow.AddSeconds(-1);

        var response = await AccountClient.SignInAsync(client, email, AccountsAppFixture.Password);
        var home = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync(Ct);
        Assert.Contains(email, html);
        Assert.Contains(role, html);
        var user = await AccountClient.FindUserAsync(App.Services, email);
        Assert.True(user!.LastSignInAt >= before, $"LastSignInAt {user.LastSignInAt:O} is not after {before:O}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SignIn_RememberMe_DecidesWhetherTheCookieOutlivesTheBrowser(bool rememberMe)
    {
        var response = await AccountClient.SignInAsync(App.CreateBrowserLikeClient(), "operator@cityops.local", AccountsAppFixture.Password, rememberMe: rememberMe);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CityOps.Auth=", StringComparison.Ordinal));
        Assert.Equal(rememberMe, cookie.Contains("expires=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SignIn_LocalReturnUrl_GoesBackThere()
    {
        var client = App.CreateBrowserLikeClient();

        var response = await AccountClient.SignInAsync(client, "operator@cityops.local", AccountsAppFixture.Password, returnUrl: "/not-found?x=1");

        Assert.Equal("/not-found?x=1", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_ReturnUrlToAnotherHost_GoesHomeInstead()
    {
        var client = App.CreateBrowserLikeClient();

        var response = await AccountClient.SignInAsync(client, "operator@cityops.local", AccountsAppFixture.Password, returnUrl: "//evil.example/x");

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_WrongPassword_ReturnsToLoginWithErrorAndNoCookie()
    {
        var client = App.CreateBrowserLikeClient();

        var response = await AccountClient.SignInAsync(client, "manager@cityops.local", "not-the-password", returnUrl: "/not-found");
        var home = await client.GetAsync("/", Ct);
        var page = await client.GetStringAsync(response.Headers.Location!.OriginalString, Ct);

        Assert.Equal("/account/login?error=invalid&ReturnUrl=%2Fnot-found", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Contains("email or password is not correct", page);
    }

    [Fact]
    public async Task SignIn_UnknownEmail_SaysTheSameAsAWrongPassword()
    {
        var client = App.CreateBrowserLikeClient();

        var response = await AccountClient.SignInAsync(client, "nobody@cityops.local", "whatever-password");

        Assert.Equal("/account/login?error=invalid", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefusedAsExpiredForm()
    {
        var client = App.CreateBrowserLikeClient();

        var response = await AccountClient.SignInAsync(client, "operator@cityops.local", AccountsAppFixture.Password, includeToken: false);
        var home = await client.GetAsync("/", Ct);

        Assert.Equal("/account/login?error=expired", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LocksTheAccountEvenForTheRightOne()
    {
        const string email = "lockme@cityops.local";
        await AccountClient.CreateUserAsync(App.Services, email, AccountsAppFixture.Password, Roles.Operator);
        var client = App.CreateBrowserLikeClient();

        for (var i = 0; i < 4; i++)
        {
            var wrong = await AccountClient.SignInAsync(client, email, "wrong-password-" + i);
            Assert.Equal("/account/login?error=invalid", wrong.Headers.Location!.OriginalString);
        }
        var fifth = await AccountClient.SignInAsync(client, email, "wrong-password-5");
        var right = await AccountClient.SignInAsync(client, email, AccountsAppFixture.Password);
        var page = await client.GetStringAsync("/account/login?error=locked", Ct);

        Assert.Equal("/account/login?error=locked", fifth.Headers.Location!.OriginalString);
        Assert.Equal("/account/login?error=locked", right.Headers.Location!.OriginalString);
        Assert.Contains("locked after 5 failed sign-in attempts", page);
        var user = await AccountClient.FindUserAsync(App.Services, email);
        Assert.True(user!.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(14));
    }

    [Fact]
    public async Task Home_SignedInWithoutARole_IsDenied()
    {
        var client = App.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, AccountsAppFixture.NoRoleEmail, AccountsAppFixture.Password);

        var home = await client.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/account/access-denied", home.Headers.Location!.AbsolutePath);
        Assert.Contains("does not have a role", await client.GetStringAsync(home.Headers.Location, Ct));
    }

    [Fact]
    public async Task SignOut_AfterSignIn_HomeAsksForLoginAgain()
    {
        var client = App.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "operator@cityops.local", AccountsAppFixture.Password);
        var home = await client.GetStringAsync("/", Ct);
        var token = System.Text.RegularExpressions.Regex.Match(home, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;

        var signOut = await client.PostAsync("/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token) }), Ct);
        var after = await client.GetAsync("/", Ct);

        Assert.Equal("/account/login", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/account/login", after.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task SensorsApi_Anonymous_Answers401NotARedirect()
    {
        var response = await App.CreateBrowserLikeClient().GetAsync("/api/v1/sensors", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task SensorsApi_SignedInOperator_Answers200()
    {
        var client = App.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "operator@cityops.local", AccountsAppFixture.Password);

        var response = await client.GetAsync("/api/v1/sensors", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    private sealed class ChallengeProbe : Microsoft.AspNetCore.Hosting.IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var path = context.Request.Path.Value;
                if (path is "/api/v1/probe" or "/hubs/probe" or "/probe")
                {
                    await context.ChallengeAsync(IdentityConstants.ApplicationScheme);
                    return;
                }
                if (path is "/api/v1/probe-forbid")
                {
                    await context.ForbidAsync(IdentityConstants.ApplicationScheme);
                    return;
                }
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
