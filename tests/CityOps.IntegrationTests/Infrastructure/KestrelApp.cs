using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Accounts;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>The real application on Kestrel at a free loopback port, for a real browser.</summary>
public sealed class KestrelApp : IAsyncDisposable
{
    private readonly CityOpsAppFactory _factory;

    private KestrelApp(CityOpsAppFactory factory, WebApplicationFactory<Program> app, int port)
    {
        _factory = factory;
        App = app;
        Port = port;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public WebApplicationFactory<Program> App { get; }

    public string BaseUrl { get; }

    public int Port { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Starts the application; a given <paramref name="port"/> lets a test start a new instance where a stopped one listened.</summary>
    public static KestrelApp Start(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, int? port = null)
    {
        port ??= FreePort();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            // appsettings.json names the default port, which a developer's running instance may hold.
            ["Urls"] = $"http://127.0.0.1:{port}",
        };
        var factory = new CityOpsAppFactory(connectionString, all);
        // Outside Development the framework's and MudBlazor's files are served from the build's static web assets only when asked.
        var app = factory.WithWebHostBuilder(b => b.UseStaticWebAssets());
        app.UseKestrel(port.Value);
        app.StartServer();
        return new KestrelApp(factory, app, port.Value);
    }

    /// <summary>Adds the demo accounts (whatever demo mode says) and the small test world, as the UI tests expect them.</summary>
    public async Task SeedDemoAccountsAndTestWorldAsync()
    {
        var demo = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CityOps:DemoMode"] = "true" }).Build();
        await using (var scope = Services.CreateAsyncScope())
        {
            await new AccountsSeeder(demo, NullLogger<AccountsSeeder>.Instance).SeedAsync(scope.ServiceProvider, CancellationToken.None);
        }
        await Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create());
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _factory.DisposeAsync();
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
