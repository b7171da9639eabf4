using System.Security.Claims;
using System.Text.Json;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>A section change through the API: the version it was read at, and the whole section.</summary>
public sealed record SettingsChange(int Version, JsonElement Value);

/// <summary>Registers the settings part of the administration area.</summary>
public static class SettingsAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section);
        services.AddSingleton<SettingsStore>();
        services.AddHostedService<SettingsLoader>();
        Overlay<RetentionOptions>(services, (s, o) => s.Get<RetentionSettings>(SettingsSections.Retention)?.ApplyTo(o));
        Overlay<IngestOptions>(services, (s, o) => s.Get<IngestSettings>(SettingsSections.Ingest)?.ApplyTo(o));
        Overlay<AlertOptions>(services, (s, o) => s.Get<AlarmSettings>(SettingsSections.Alarms)?.ApplyTo(o));
        Overlay<MapOptions>(services, (s, o) => s.Get<MapSettings>(SettingsSections.Map)?.ApplyTo(o));
        Overlay<NotificationOptions>(services, (s, o) =>
        {
            if (s.Get<NotificationOptions>(SettingsSections.Notifications) is { } stored)
            {
                o.Email = stored.Email;
                o.Webhook = stored.Webhook;
            }
        });
        services.AddHttpClient<NotificationSender>();
        services.AddSingleton<CriticalAlarmNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<CriticalAlarmNotifier>());
        services.AddSingleton<IAlarmRaisedHandler>(sp => sp.GetRequiredService<CriticalAlarmNotifier>());
        services.AddSingleton<SettingsService>();
        services.AddSingleton<ISettingsAdministration>(sp => sp.GetRequiredService<SettingsService>());
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/settings/{section}", (string section, ClaimsPrincipal user, SettingsService settings) =>
                Run(() => Task.FromResult<IResult>(TypedResults.Ok(settings.Get(user, section)))))
            .WithName("GetSettings")
            .WithSummary("One settings section's effective values (secrets are never returned: passwordSet/secretSet say whether one is stored)")
            .Produces<SectionView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapPut("/settings/{section}", (string section, SettingsChange change, ClaimsPrincipal user, SettingsService settings, CancellationToken ct) =>
                Run(async () =>
                {
                    object? value;
                    try
                    {
                        value = change.Value.Deserialize(SettingsService.TypeOf(section), SettingsStore.Json);
                    }
                    catch (JsonException e)
                    {
                        return TypedResults.Problem($"The {section} settings could not be read: {e.Message}", statusCode: StatusCodes.Status400BadRequest);
                    }
                    if (value is null)
                    {
                        return TypedResults.Problem("The settings value is missing.", statusCode: StatusCodes.Status400BadRequest);
                    }
                    return TypedResults.Ok(await settings.SaveAsync(user, section, change.Version, value, ct));
                }))
            .WithName("SaveSettings")
            .WithSummary("Saves a settings section whole; the running application follows at once on every node")
            .WithDescription("`version` is the version read (0 when never saved). In notifications a null password or secret keeps the stored one and an empty one clears it.")
            .Produces<SectionView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        admin.MapPost("/settings/notifications/test-email", (NotificationOptions? candidate, ClaimsPrincipal user, SettingsService settings, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await settings.TestEmailAsync(user, candidate, ct))))
            .WithName("TestEmailNotification")
            .WithSummary("Sends a test e-mail with the given (or the saved) notification settings and reports success or the error")
            .Produces<DeliveryResult>();

        admin.MapPost("/settings/notifications/test-webhook", (NotificationOptions? candidate, ClaimsPrincipal user, SettingsService settings, CancellationToken ct) =>
                Run(async () => TypedResults.Ok(await settings.TestWebhookAsync(user, candidate, ct))))
            .WithName("TestWebhookNotification")
            .WithSummary("Posts a test notification to the given (or the saved) webhook and reports success or the error")
            .Produces<DeliveryResult>();
    }

    private static async Task<IResult> Run(Func<Task<IResult>> operation)
    {
        try
        {
            return await operation();
        }
        catch (UnauthorizedAccessException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden);
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound);
        }
        catch (SettingsValidationException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["value"] = [.. e.Errors] }, detail: e.Message);
        }
        catch (SettingsConflictException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static void Overlay<TOptions>(IServiceCollection services, Action<SettingsStore, TOptions> apply) where TOptions : class
    {
        services.AddSingleton(sp => new SettingsOverlay<TOptions>(sp.GetRequiredService<SettingsStore>(), apply));
        services.AddSingleton<IPostConfigureOptions<TOptions>>(sp => sp.GetRequiredService<SettingsOverlay<TOptions>>());
        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(sp => sp.GetRequiredService<SettingsOverlay<TOptions>>());
    }
}
