using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>
/// Every setting an administrator may change without editing files. Each section saves on its own (the version it was
/// read at guards against overwriting someone else's change); validation messages show under the section.
/// </summary>
public sealed partial class SettingsPage
{
    private readonly Dictionary<string, IReadOnlyList<string>> _errors = [];
    private SettingsSnapshot? _snapshot;
    private string? _loadError;
    private string? _newPassword;
    private string? _newSecret;
    private bool _testing;
    private DeliveryResult? _emailTest;
    private DeliveryResult? _webhookTest;

    [Inject] public required ISettingsAdministration Settings { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required ILogger<SettingsPage> Logger { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }

    private long MaxBodyKiB
    {
        get => _snapshot!.Ingest.MaxRequestBodyBytes / 1024;
        set => _snapshot!.Ingest.MaxRequestBodyBytes = value * 1024;
    }

    private double FutureToleranceMinutes
    {
        get => _snapshot!.Ingest.FutureTolerance.TotalMinutes;
        set => _snapshot!.Ingest.FutureTolerance = TimeSpan.FromMinutes(value);
    }

    private double FloodWindowMinutes
    {
        get => _snapshot!.Alarms.FloodWindow.TotalMinutes;
        set => _snapshot!.Alarms.FloodWindow = TimeSpan.FromMinutes(value);
    }

    private double ChatterWindowSeconds
    {
        get => _snapshot!.Alarms.ChatterWindow.TotalSeconds;
        set => _snapshot!.Alarms.ChatterWindow = TimeSpan.FromSeconds(value);
    }

    private string Recipients
    {
        get => string.Join(", ", _snapshot!.Notifications.Email.To);
        set => _snapshot!.Notifications.Email.To = value.Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    protected override async Task OnInitializedAsync()
    {
        try
        {
            _snapshot = await Settings.GetAllAsync(await UserAsync(), CancellationToken.None);
        }
        catch (UnauthorizedAccessException e)
        {
            _loadError = e.Message;
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not read the settings");
            _loadError = "The settings could not be read. Try again in a moment.";
        }
    }

    private IReadOnlyList<string> ErrorsOf(string section) => _errors.GetValueOrDefault(section) ?? [];

    private async Task<bool> SaveAsync(string section, object value)
    {
        _errors.Remove(section);
        try
        {
            var saved = await Settings.SaveAsync(await UserAsync(), section, _snapshot!.Info[section].Version, value, CancellationToken.None);
            _snapshot = _snapshot with
            {
                Info = new Dictionary<string, SectionInfo>(_snapshot.Info) { [section] = new(saved.Version, saved.UpdatedBy, saved.UpdatedAt) },
            };
            if (saved.Value is NotificationOptions notifications)
            {
                _snapshot = _snapshot with { Notifications = notifications };
            }
            Snackbar.Add("Saved. The change applies now.", Severity.Success);
            return true;
        }
        catch (SettingsValidationException e)
        {
            _errors[section] = e.Errors;
        }
        catch (SettingsConflictException e)
        {
            _errors[section] = [e.Message];
        }
        catch (UnauthorizedAccessException e)
        {
            _errors[section] = [e.Message];
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not save the {Section} settings", section);
            _errors[section] = ["The settings could not be saved. Try again in a moment."];
        }
        return false;
    }

    private async Task SaveNotificationsAsync()
    {
        if (await SaveAsync(SettingsSections.Notifications, Candidate()))
        {
            _newPassword = null;
            _newSecret = null;
        }
    }

    private async Task TestEmailAsync()
    {
        _testing = true;
        try
        {
            _emailTest = await Settings.TestEmailAsync(await UserAsync(), Candidate(), CancellationToken.None);
        }
        finally
        {
            _testing = false;
        }
    }

    private async Task TestWebhookAsync()
    {
        _testing = true;
        try
        {
            _webhookTest = await Settings.TestWebhookAsync(await UserAsync(), Candidate(), CancellationToken.None);
        }
        finally
        {
            _testing = false;
        }
    }

    /// <summary>The notification settings as entered: secrets only when typed (null keeps the stored one, empty clears it).</summary>
    private NotificationOptions Candidate()
    {
        var candidate = _snapshot!.Notifications.Copy();
        candidate.Email.Password = _newPassword;
        candidate.Webhook.Secret = _newSecret;
        return candidate;
    }

    private async Task<ClaimsPrincipal> UserAsync() => Authentication is null ? new() : (await Authentication).User;

    private static string SecurityText(SmtpSecurity security) => security switch
    {
        SmtpSecurity.StartTls => "STARTTLS (port 587)",
        SmtpSecurity.SslOnConnect => "TLS on connect (port 465)",
        SmtpSecurity.None => "None (unencrypted)",
        _ => "Automatic",
    };
}
