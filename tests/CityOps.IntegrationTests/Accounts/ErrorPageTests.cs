using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Accounts;

/// <summary>Unhandled errors: a person sees the error page, a program gets problem details; neither sees a stack trace.</summary>
public class ErrorPageTests(PostgresFixture pg)
{
    [Fact]
    public async Task UnhandledError_PageAndApiRequests_ErrorPageForPeopleProblemDetailsForPrograms()
    {
        await using var factory = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddTransient<IStartupFilter, FailingFallback>()));
        var client = app.CreateBrowserLikeClient();

        var page = await client.GetAsync("/broken", TestContext.Current.CancellationToken);
        var api = await client.GetAsync("/api/v1/broken", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Something went wrong", html);
        Assert.DoesNotContain(FailingFallback.Secret, html);
        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(FailingFallback.Secret, await api.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Throws for requests no endpoint matched, after the application's own middleware ran.</summary>
    private sealed class FailingFallback : IStartupFilter
    {
        public const string Secret = "internal detail 4711";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context => context.Request.Path.Value!.EndsWith("/broken", StringComparison.Ordinal)
                ? throw new InvalidOperationException(Secret)
                : Task.CompletedTask);
        };
    }
}
