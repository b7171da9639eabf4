using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>
/// The real application on a database of its own in the assembly's cluster. Settings given to the
/// constructor override appsettings (for example to turn demo mode on or off).
/// </summary>
public sealed class CityOpsAppFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:CityOps", connectionString);
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("CityOps:DemoMode", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
