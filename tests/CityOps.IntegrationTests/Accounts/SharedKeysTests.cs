using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CityOps.IntegrationTests.Accounts;

public class SharedKeysTests(PostgresFixture pg)
{
    [Fact]
    public async Task SignIn_InstancesShareTheKeysDirectory_CookieFromOneOpensHomeOnTheOther()
    {
        var keys = Directory.CreateTempSubdirectory("cityops-keys-");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["DataProtection:KeysDirectory"] = keys.FullName,
                ["Admin:Email"] = "chief@example.org",
                ["Admin:Password"] = "Chief-password-42",
            };
            var db = await pg.CreateDatabaseAsync();
            await using var first = new CityOpsAppFactory(db, settings);
            await using var second = new CityOpsAppFactory(db, settings);

            var signIn = await AccountClient.SignInAsync(first.CreateBrowserLikeClient(), "chief@example.org", "Chief-password-42");
            var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CityOps.Auth=", StringComparison.Ordinal)).Split(';')[0];
            var other = second.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("Cookie", cookie);
            var home = await other.SendAsync(request, TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Contains("chief@example.org", await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.NotEmpty(keys.GetFiles("*.xml"));
        }
        finally
        {
            keys.Delete(recursive: true);
        }
    }
}
