using System.Security.Claims;
using System.Text;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Cluster;
using CityOps.Web.Features.Live;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>Registers the assets part of the administration area.</summary>
public static class AssetsAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AssetRegistry>();
        builder.Services.AddSingleton<RegistryCsv>();
        builder.Services.AddHostedService<RegistryChangeFollower>();
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        var api = admin.MapGroup("/assets");
        api.MapGet("/tree", (AssetRegistry r, CancellationToken ct) => Run(async () => Results.Ok(await r.GetTreeAsync(ct))))
            .WithSummary("The sites and their asset hierarchies, with sensor and actuator counts");
        api.MapGet("/assets/{key}/equipment", (string key, AssetRegistry r, CancellationToken ct) => Run(async () => Results.Ok(await r.GetEquipmentAsync(key, ct))))
            .WithSummary("An asset's sensors and actuators");

        api.MapPost("/sites", (SiteInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.CreateSiteAsync(user, input, ct); return Results.Created($"{AdministrationExtensions.ApiPrefix}/assets/sites/{input.Key}", input); }));
        api.MapPut("/sites/{key}", (string key, SiteInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.UpdateSiteAsync(user, key, input, ct); return Results.NoContent(); }));
        api.MapDelete("/sites/{key}", (string key, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.DeleteSiteAsync(user, key, ct); return Results.NoContent(); }));

        api.MapPost("/assets", (AssetInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.CreateAssetAsync(user, input, ct); return Results.Created($"{AdministrationExtensions.ApiPrefix}/assets/assets/{input.Key}", input); }));
        api.MapPut("/assets/{key}", (string key, AssetInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.UpdateAssetAsync(user, key, input, ct); return Results.NoContent(); }))
            .WithDescription("Changes an asset; a new parentKey re-parents it (same site, no loops).");
        api.MapPost("/assets/{key}/move", (string key, MoveRequest move, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.MoveAssetAsync(user, key, move.ParentKey, ct); return Results.NoContent(); }))
            .WithSummary("Re-parents an asset (parentKey null: top of its site)");
        api.MapGet("/assets/{key}/deletion", (string key, AssetRegistry r, CancellationToken ct) => Run(async () => Results.Ok(await r.PlanAssetDeletionAsync(key, ct))))
            .WithSummary("What deleting the asset would do: child assets, sensors, stored readings and rollups, alarms");
        api.MapDelete("/assets/{key}", (string key, bool? withEquipment, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => Results.Ok(await r.DeleteAssetAsync(user, key, withEquipment ?? false, ct))))
            .WithDescription("Refused (409) when the asset has children, or has sensors/actuators and withEquipment is not true.");

        api.MapPost("/sensors", (SensorInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.CreateSensorAsync(user, input, ct); return Results.Created($"{AdministrationExtensions.ApiPrefix}/assets/sensors/{input.Key}", input); }));
        api.MapPut("/sensors/{key}", (string key, SensorInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.UpdateSensorAsync(user, key, input, ct); return Results.NoContent(); }));
        api.MapGet("/sensors/{key}/deletion", (string key, AssetRegistry r, CancellationToken ct) => Run(async () => Results.Ok(await r.PlanSensorDeletionAsync(key, ct))));
        api.MapDelete("/sensors/{key}", (string key, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => Results.Ok(await r.DeleteSensorAsync(user, key, ct))));

        api.MapPost("/actuators", (ActuatorInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.CreateActuatorAsync(user, input, ct); return Results.Created($"{AdministrationExtensions.ApiPrefix}/assets/actuators/{input.Key}", input); }));
        api.MapPut("/actuators/{key}", (string key, ActuatorInput input, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.UpdateActuatorAsync(user, key, input, ct); return Results.NoContent(); }));
        api.MapDelete("/actuators/{key}", (string key, ClaimsPrincipal user, AssetRegistry r, CancellationToken ct) =>
            Run(async () => { await r.DeleteActuatorAsync(user, key, ct); return Results.NoContent(); }));

        api.MapPost("/import/{kind}", ImportAsync)
            .Accepts<string>("text/csv")
            .WithSummary("Imports assets or sensors from CSV (kind: assets or sensors)")
            .WithDescription("dryRun=true (the default) only checks every row and answers the preview; dryRun=false creates or updates the " +
                "valid rows by key in one transaction and skips the rows with errors. Errors name the row (the header is row 1), column and problem.");
        api.MapGet("/export/assets.csv", async (RegistryCsv csv, CancellationToken ct) =>
            Results.Text(await csv.ExportAssetsAsync(ct), "text/csv", Encoding.UTF8));
        api.MapGet("/export/sensors.csv", async (RegistryCsv csv, CancellationToken ct) =>
            Results.Text(await csv.ExportSensorsAsync(ct), "text/csv", Encoding.UTF8));
    }

    public sealed record MoveRequest(string? ParentKey);

    private static async Task<IResult> ImportAsync(string kind, bool? dryRun, HttpRequest request, ClaimsPrincipal user, RegistryCsv csv, CancellationToken ct)
    {
        if (request.ContentLength > RegistryCsv.MaxBytes)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
                detail: $"A CSV file may have at most {RegistryCsv.MaxBytes / 1024 / 1024} MB.");
        }
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        var preview = dryRun ?? true;
        return kind switch
        {
            "assets" => await Run(async () =>
            {
                var parsed = RegistryCsv.ParseAssets(new StringReader(text));
                return Results.Ok(preview ? await csv.PreviewAssetsAsync(parsed, ct) : await csv.ApplyAssetsAsync(user, parsed, null, ct));
            }),
            "sensors" => await Run(async () =>
            {
                var parsed = RegistryCsv.ParseSensors(new StringReader(text));
                return Results.Ok(preview ? await csv.PreviewSensorsAsync(parsed, ct) : await csv.ApplySensorsAsync(user, parsed, null, ct));
            }),
            _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown import", detail: $"Import 'assets' or 'sensors', not '{kind}'."),
        };
    }

    /// <summary>Turns the registry's refusals into problem details a caller can act on.</summary>
    private static async Task<IResult> Run(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (RegistryValidationException e)
        {
            return Results.ValidationProblem(
                e.Errors.GroupBy(x => x.Field).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()),
                title: "The input was refused");
        }
        catch (RegistryNotFoundException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: e.Message);
        }
        catch (RegistryConflictException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Refused", detail: e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: e.Message);
        }
    }
}

/// <summary>
/// Keeps this node's copies of the registry current: whenever any node changes it, the sensor catalog (ingest, live
/// store), the asset tree and the alert engine's world are reloaded, so a sensor added in the administration page is
/// accepted by ingest at once and bound by the rules.
/// </summary>
internal sealed class RegistryChangeFollower(
    ChangeSignals signals, SensorCatalog catalog, IServiceProvider services, ILogger<RegistryChangeFollower> logger) : IHostedService
{
    /// <summary>Longest wait for the engine to rebind; it also notices new sensors on its own at its next tick.</summary>
    private static readonly TimeSpan EngineWait = TimeSpan.FromSeconds(30);
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = signals.Subscribe(ChangeTopics.Registry, OnChangedAsync);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private async Task OnChangedAsync(string payload, CancellationToken ct)
    {
        await catalog.RefreshAsync(ct);
        if (services.GetService<AssetTree>() is { } tree)
        {
            await tree.RefreshAsync(ct);
        }
        if (services.GetService<AlertEngineService>() is { } engine)
        {
            // Ingest and the screens know the change now; the engine rebinds on its own loop, which may be busy with a
            // batch of readings, so the administrator's save does not wait for it.
            _ = RebindEngineAsync(engine);
        }
        logger.LogInformation("Registry changed ({Change}); {Count} sensors known", payload.Length == 0 ? "reload" : payload, catalog.All.Count);
    }

    private async Task RebindEngineAsync(AlertEngineService engine)
    {
        using var wait = new CancellationTokenSource(EngineWait);
        try
        {
            await engine.ReloadSensorsAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("The alert engine did not rebind to the changed registry within {Wait}; it will at its next check", EngineWait);
        }
        catch (Exception e)
        {
            logger.LogError(e, "The alert engine could not rebind to the changed registry; it will at its next check");
        }
    }
}
