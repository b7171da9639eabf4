namespace CityOps.Web.Features.Assets;

/// <summary>
/// Loads the <see cref="SensorCatalog"/> before the application serves requests, and reloads it
/// periodically so registry changes made elsewhere (another instance, an admin tool) take effect.
/// Code that changes the registry in-process calls <see cref="SensorCatalog.RefreshAsync"/> directly.
/// </summary>
internal sealed class SensorCatalogLoader(SensorCatalog catalog, TimeProvider time, ILogger<SensorCatalogLoader> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await catalog.RefreshAsync(cancellationToken);
            logger.LogInformation("Sensor catalog loaded: {Count} sensors", catalog.All.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Starting without the database is allowed; ingest rejects readings as unknown until the next refresh works.
            logger.LogWarning(e, "Could not load the sensor catalog at start-up; retrying every {Interval}", RefreshInterval);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await catalog.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Could not refresh the sensor catalog: {Error}", e.Message);
            }
        }
    }
}
