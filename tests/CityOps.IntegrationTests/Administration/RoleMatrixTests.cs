using System.Net;
using System.Text;
using CityOps.IntegrationTests.Accounts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Administration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Administration;

/// <summary>
/// Only Administrators reach the administration area, and the server enforces it, not the menu. The endpoints are
/// read from the application's own routing table, so every API under <c>/api/v1/admin</c> and every page under
/// <c>/admin</c> that anyone adds later is covered without touching this test.
/// </summary>
public sealed class RoleMatrixTests(AccountsAppFixture fixture) : IClassFixture<AccountsAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdministrationEndpoints_EachRole_OnlyAdministratorsGetThrough()
    {
        var (apis, pages) = AdministrationEndpoints();
        // Guards against a matrix that passes because it found nothing.
        Assert.Contains(apis, a => a.Path == "/api/v1/admin/keys" && a.Method == "POST");
        Assert.Contains(apis, a => a.Path == "/api/v1/admin/users/x" && a.Method == "DELETE");
        Assert.Contains(pages, p => p.Path == "/admin/keys");
        Assert.Contains(pages, p => p.Path == "/admin/users");
        Assert.Contains(pages, p => p.Path == "/admin");

        var anonymous = fixture.App.CreateBrowserLikeClient();
        var operatorClient = await SignedInAsync("operator@cityops.local");
        var manager = await SignedInAsync("manager@cityops.local");
        var administrator = await SignedInAsync("admin@cityops.local");
        var failures = new List<string>();

        foreach (var api in apis)
        {
            Expect(failures, "anonymous", api, await SendAsync(anonymous, api), r => r.StatusCode == HttpStatusCode.Unauthorized, "401");
            Expect(failures, "Operator", api, await SendAsync(operatorClient, api), r => r.StatusCode == HttpStatusCode.Forbidden, "403");
            Expect(failures, "Manager", api, await SendAsync(manager, api), r => r.StatusCode == HttpStatusCode.Forbidden, "403");
        }
        foreach (var page in pages)
        {
            Expect(failures, "anonymous", page, await SendAsync(anonymous, page), r => RedirectsTo(r, "/account/login"), "redirect to sign-in");
            Expect(failures, "Operator", page, await SendAsync(operatorClient, page), r => RedirectsTo(r, "/account/access-denied"), "access denied");
            Expect(failures, "Manager", page, await SendAsync(manager, page), r => RedirectsTo(r, "/account/access-denied"), "access denied");
        }
        // Last, because an administrator's requests may change things (with dummy ids they mostly find nothing).
        foreach (var endpoint in apis.Concat(pages))
        {
            Expect(failures, "Administrator", endpoint, await SendAsync(administrator, endpoint),
                r => r.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) &&
                     !RedirectsTo(r, "/account/login") && !RedirectsTo(r, "/account/access-denied"), "through");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"Checked {apis.Count} API endpoints and {pages.Count} pages for four roles:\n" +
            string.Join("\n", apis.Concat(pages).Select(t => $"{t.Method} {t.Route}")));
        Assert.True(failures.Count == 0, $"{failures.Count} refusals were wrong:\n{string.Join("\n", failures)}");
    }

    /// <summary>A request per method of every administration route, with dummy values for route parameters.</summary>
    private (List<Target> Apis, List<Target> Pages) AdministrationEndpoints()
    {
        var endpoints = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var apis = new List<Target>();
        var pages = new List<Target>();
        foreach (var endpoint in endpoints)
        {
            var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            if (raw.StartsWith(AdministrationExtensions.ApiPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.FirstOrDefault() ?? "application/json";
                apis.AddRange(methods.Select(m => new Target(m, raw, Fill(endpoint.RoutePattern), accepts)));
            }
            else if (raw == "/admin" || raw.StartsWith("/admin/", StringComparison.OrdinalIgnoreCase))
            {
                // Pages answer GET; their POST is Blazor's form handling, which a browser reaches only from a rendered page.
                if (methods.Contains("GET"))
                {
                    pages.Add(new Target("GET", raw, Fill(endpoint.RoutePattern)));
                }
            }
        }
        return (apis.DistinctBy(a => (a.Method, a.Route)).ToList(), pages.DistinctBy(p => p.Route).ToList());
    }

    private static string Fill(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => Dummy(parameter),
                    _ => "",
                });
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }

    private static string Dummy(RoutePatternParameterPart parameter)
    {
        var policies = parameter.ParameterPolicies.Select(p => p.Content ?? "").ToList();
        if (policies.Any(p => p.StartsWith("guid", StringComparison.OrdinalIgnoreCase)))
        {
            return Guid.NewGuid().ToString();
        }
        if (policies.Any(p => p is "int" or "long" or "double" or "decimal" or "float" || p.StartsWith("min", StringComparison.Ordinal) ||
                              p.StartsWith("max", StringComparison.Ordinal) || p.StartsWith("range", StringComparison.Ordinal)))
        {
            return "1";
        }
        if (policies.Contains("bool"))
        {
            return "true";
        }
        if (policies.Contains("datetime"))
        {
            return "2026-01-01";
        }
        return "x";
    }

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = fixture.App.CreateBrowserLikeClient();
        var response = await AccountClient.SignInAsync(client, email, AccountsAppFixture.Password);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return client;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Target target)
    {
        using var request = new HttpRequestMessage(new HttpMethod(target.Method), target.Path);
        if (target.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent(target.ContentType == "application/json" ? "{}" : "", Encoding.UTF8, target.ContentType);
        }
        if (!target.Path.StartsWith("/api/", StringComparison.Ordinal))
        {
            request.Headers.Accept.ParseAdd("text/html");
        }
        return await client.SendAsync(request, Ct);
    }

    private static bool RedirectsTo(HttpResponseMessage response, string path) =>
        response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found &&
        response.Headers.Location is { } location &&
        (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString.Split('?')[0]) == path;

    private static void Expect(List<string> failures, string who, Target target, HttpResponseMessage response, Func<HttpResponseMessage, bool> ok, string expected)
    {
        if (!ok(response))
        {
            failures.Add($"{who} {target.Method} {target.Path} ({target.Route}): expected {expected}, got {(int)response.StatusCode} {response.Headers.Location}");
        }
    }

    /// <param name="ContentType">The body type the endpoint accepts: routing answers 415 to any other before authorization runs.</param>
    private sealed record Target(string Method, string Route, string Path, string ContentType = "application/json");
}
