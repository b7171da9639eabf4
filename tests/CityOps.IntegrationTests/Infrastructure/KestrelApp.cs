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
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public WebApplicationFactory<Program> App { get; }

    public string BaseUrl { get; }

    public IServiceProvider Services => App.Services;

    public static KestrelApp Start(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var port = FreePort();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            // appsettings.json names the default port, which a developer's running instance may hold.
            ["Urls"] = $"http://127.0.0.1:{port}",
        };
        var factory = new CityOpsAppFactory(connectionString, all);
        // Outside Development the framework's and MudBlazor's files are served from the build's static web assets only when asked.
        var app = factory.WithWebHostBuilder(b => b.UseStaticWebAssets());
        app.UseKestrel(port);
        app.StartServer();
        return new KestrelApp(factory, app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
