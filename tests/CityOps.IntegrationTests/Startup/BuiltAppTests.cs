using System.Diagnostics;
using System.Net;
using CityOps.IntegrationTests.Infrastructure;

namespace CityOps.IntegrationTests.Startup;

/// <summary>The application as ./run.sh starts it: the build output, Production environment, its own process.</summary>
public sealed class BuiltAppTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BuildRunInProduction_PageAssets_AreServed()
    {
        var port = KestrelApp.FreePort();
        var psi = new ProcessStartInfo("dotnet", [AppBinary.Path, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // As under `dotnet run`: the project folder is the content root, the build output holds the code.
            WorkingDirectory = AppBinary.ProjectDirectory,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["ConnectionStrings__CityOps"] = await pg.CreateDatabaseAsync();
        psi.Environment["CityOps__DemoMode"] = "false";
        psi.Environment["Database__MigrateOnStartup"] = "true";
        using var process = Process.Start(psi)!;
        _ = process.StandardOutput.ReadToEndAsync(Ct);
        _ = process.StandardError.ReadToEndAsync(Ct);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await WaitUntilLiveAsync(http, process);

            foreach (var asset in new[] { "/_content/MudBlazor/MudBlazor.min.css", "/_content/MudBlazor/MudBlazor.min.js", "/_framework/blazor.web.js" })
            {
                var response = await http.GetAsync(asset, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}");
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
        }
    }

    private static async Task WaitUntilLiveAsync(HttpClient http, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "the application exited during start-up");
            try
            {
                if ((await http.GetAsync("/health/live", Ct)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200, Ct);
        }
        Assert.Fail("the application did not start within 90 s");
    }

}
