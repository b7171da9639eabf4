try
{
    var builder = WebApplication.CreateBuilder(args);
    await builder.AddDatabaseAsync();
    builder.AddAccounts();
    builder.AddApiKeys();
    builder.AddAssets();
    builder.AddAudit();
    builder.AddIngest();
    builder.AddLive();
    builder.AddAlerts();
    builder.AddControlRoom();
    builder.AddAlarmScreens();
    builder.AddTelemetry();
    builder.AddDemo();
    builder.AddActions();
    builder.AddKpi();
    builder.AddAdministration();
    builder.AddHealth();
    builder.AddUi();

    var app = builder.Build();
    await app.PrepareDatabaseAsync();
    app.UseUi();
    app.MapAccounts();
    app.MapIngestApi();
    app.MapAssetsApi();
    app.MapAlertsApi();
    app.MapTelemetryHub();
    app.MapDemoApi();
    app.MapActionsApi();
    app.MapKpiApi();
    app.MapAdministration();
    app.MapHealth();
    app.MapUi();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (e is DatabaseStartupException or LocalPostgresException)
{
    return await StartupFailure.ReportAsync(e);
}
