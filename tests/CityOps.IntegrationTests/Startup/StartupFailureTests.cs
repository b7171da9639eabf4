using System.Diagnostics;
using CityOps.IntegrationTests.Infrastructure;

namespace CityOps.IntegrationTests.Startup;

public sealed class StartupFailureTests
{
    [Fact]
    public async Task Start_DatabaseUnreachable_PrintsOneClearLineAndExits1()
    {
        var psi = new ProcessStartInfo("dotnet", [AppBinary.Path, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(AppBinary.Path)!,
        };
        // Port 1 on loopback refuses connections at once.
        psi.Environment["ConnectionStrings__CityOps"] = "Host=127.0.0.1;Port=1;Database=cityops;Username=cityops;Password=x";
        psi.Environment["CityOps__DemoMode"] = "false";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(1, process.ExitCode);
        var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("cityops: cannot start: the database at 127.0.0.1:1/cityops cannot be reached", line);
        Assert.DoesNotContain("   at ", await stdout);
    }
}
