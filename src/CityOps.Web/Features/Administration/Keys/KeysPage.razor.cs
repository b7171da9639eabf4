using System.Globalization;
using CityOps.Web.Features.ApiKeys;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace CityOps.Web.Features.Administration.Keys;

/// <summary>
/// Gateways' and integrations' API keys: create (the secret is shown once, then forgotten by the page too), label,
/// scope, expire and revoke, with each key's last use and request rate.
/// </summary>
public partial class KeysPage
{
    private IReadOnlyList<ApiKeyRow>? _keys;
    private CreatedApiKey? _created;
    private ApiKeyRow? _editing;
    private ApiKeyRow? _confirmRevoke;
    private string? _error;
    private bool _busy;
    private string? _label;
    private bool _ingest = true;
    private bool _read;
    private DateTime? _expiresOn;

    [Inject] public required IApiKeyAdministration Keys { get; init; }
    [Inject] public required TimeProvider Time { get; init; }
    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required ILogger<KeysPage> Logger { get; init; }

    [CascadingParameter] public required Task<AuthenticationState> AuthenticationState { get; set; }

    private DateTime Now => Time.GetUtcNow().UtcDateTime;

    protected override Task OnInitializedAsync() => LoadAsync();

    internal static IEnumerable<string> ScopeNames(ApiKeyScopes scopes)
    {
        if (scopes.HasFlag(ApiKeyScopes.Ingest))
        {
            yield return "ingest";
        }
        if (scopes.HasFlag(ApiKeyScopes.Read))
        {
            yield return "read";
        }
    }

    internal static string FormatUtc(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string StatusLabel(ApiKeyStatus status, ApiKeyRow key) => status switch
    {
        ApiKeyStatus.Revoked => $"revoked {FormatUtc(key.RevokedAt!.Value)}",
        ApiKeyStatus.Expired => "expired",
        _ => "active",
    };

    private async Task LoadAsync()
    {
        try
        {
            _keys = await Keys.ListAsync((await AuthenticationState).User);
        }
        catch (Exception e) when (e is not UnauthorizedAccessException)
        {
            Logger.LogError(e, "Could not list the API keys");
            _keys = [];
            _error = "The keys could not be read from the database. Try again in a moment.";
        }
    }

    private void Edit(ApiKeyRow key)
    {
        _editing = key;
        _label = key.Label;
        _ingest = key.Scopes.HasFlag(ApiKeyScopes.Ingest);
        _read = key.Scopes.HasFlag(ApiKeyScopes.Read);
        // The form's date is the last day the key works (SaveAsync adds the day back).
        _expiresOn = key.ExpiresAt?.AddTicks(-1).Date;
    }

    private void CancelEdit()
    {
        _editing = null;
        ResetForm();
    }

    private void ResetForm()
    {
        _label = null;
        _ingest = true;
        _read = false;
        _expiresOn = null;
    }

    private async Task SaveAsync()
    {
        var scopes = (_ingest ? ApiKeyScopes.Ingest : ApiKeyScopes.None) | (_read ? ApiKeyScopes.Read : ApiKeyScopes.None);
        // A date means "until the end of that day" (UTC): a key given today's date still works today.
        var expires = _expiresOn is { } d ? DateTime.SpecifyKind(d.Date.AddDays(1), DateTimeKind.Utc) : (DateTime?)null;
        var settings = new ApiKeySettings(_label ?? "", scopes, expires);
        await RunAsync(async user =>
        {
            if (_editing is { } editing)
            {
                await Keys.UpdateAsync(user, editing.Id, settings);
                Snackbar.Add($"Saved “{settings.Label.Trim()}”. Every node uses the new settings at once.", Severity.Success);
                _editing = null;
            }
            else
            {
                _created = await Keys.CreateAsync(user, settings);
            }
            ResetForm();
        });
    }

    private async Task RevokeAsync()
    {
        if (_confirmRevoke is not { } key)
        {
            return;
        }
        await RunAsync(async user =>
        {
            await Keys.RevokeAsync(user, key.Id);
            Snackbar.Add($"Revoked “{key.Label}”.", Severity.Success);
            if (_editing?.Id == key.Id)
            {
                CancelEdit();
            }
        });
        _confirmRevoke = null;
    }

    private async Task CopySecretAsync()
    {
        if (_created is null)
        {
            return;
        }
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _created.Secret);
            Snackbar.Add("Copied the secret to the clipboard.", Severity.Normal);
        }
        catch (JSException)
        {
            // Browsers refuse the clipboard outside HTTPS or localhost; the secret is selectable instead.
            Snackbar.Add("The browser refused the clipboard: select the secret and copy it by hand.", Severity.Warning);
        }
    }

    private void CloseSecret() => _created = null;

    private async Task RunAsync(Func<System.Security.Claims.ClaimsPrincipal, Task> operation)
    {
        _busy = true;
        _error = null;
        try
        {
            await operation((await AuthenticationState).User);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            _error = e.Message;
        }
        catch (Exception e) when (e is not UnauthorizedAccessException)
        {
            Logger.LogError(e, "An API key change failed");
            _error = "The change could not be saved. Try again in a moment.";
        }
        finally
        {
            _busy = false;
        }
        await LoadAsync();
    }
}
