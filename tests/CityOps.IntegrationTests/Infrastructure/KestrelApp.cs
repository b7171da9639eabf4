using System.Net;
using System.Net.Sockets;

namespace CityOps.IntegrationTests.Infrastructure;

/// <summary>The real application on Kestrel at a free loopback port, for a real browser.</summary>
public sealed class KestrelApp : IAsyncDisposable
{
    private KestrelApp(CityOpsAppFactory app, int port)
    {
        App = app;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public CityOpsAppFactory App { get; }

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
        var app = new CityOpsAppFactory(connectionString, all);
        app.UseKestrel(port);
        app.StartServer();
        return new KestrelApp(app, port);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
