using CityOps.Web.Components;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Demo;
using CityOps.Web.Features.Health;
using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;
using CityOps.Web.Features.Telemetry;

try
{
    var builder = WebApplication.CreateBuilder(args);
    await builder.AddDatabaseAsync();
    builder.AddAccounts();
    builder.AddApiKeys();
    builder.AddAssets();
    builder.AddIngest();
    builder.AddLive();
    builder.AddControlRoom();
    builder.AddTelemetry();
    builder.AddDemo();
    builder.AddHealth();
    builder.AddUi();

    var app = builder.Build();
    await app.PrepareDatabaseAsync();
    app.UseUi();
    app.MapAccounts();
    app.MapIngestApi();
    app.MapAssetsApi();
    app.MapTelemetryHub();
    app.MapDemoApi();
    app.MapHealth();
    app.MapUi();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is DatabaseStartupException or LocalPostgresException)
{
    return await StartupFailure.ReportAsync(e);
}
