using CityOps.Web.Components;
using CityOps.Analytics.Alerts;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>
/// The rules: search and filter, enable or disable many at once, clone, delete (softly), export and import.
/// </summary>
public sealed partial class RulesPage : ComponentBase, IAsyncDisposable
{
    [Inject] public required IRulePagesBackend Admin { get; init; }
    [Inject] public required AuthenticationStateProvider Auth { get; init; }
    [Inject] public required IJSRuntime Js { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required ILogger<RulesPage> Logger { get; init; }

    private enum PendingKind { Delete, Clone }

    private sealed record Pending(PendingKind Kind, string Key);

    private IReadOnlyList<RuleRow> _rules = [];
    private readonly HashSet<string> _selected = new(StringComparer.Ordinal);
    private bool _loading = true;
    private bool _busy;
    private bool _showImport;
    private string? _search;
    private string? _modelFilter;
    private bool? _enabledFilter;
    private Pending? _pending;
    private string? _pendingText;
    private IJSObjectReference? _module;

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        var user = (await Auth.GetAuthenticationStateAsync()).User;
        _rules = await Admin.ListAsync(user, CancellationToken.None);
        _selected.IntersectWith(_rules.Select(r => r.Key));
        _loading = false;
    }

    private List<RuleRow> Shown() => [.. _rules.Where(r =>
        (_modelFilter is null || RuleModels.KindOf(r.Definition.Model) == _modelFilter)
        && (_enabledFilter is null || r.Enabled == _enabledFilter)
        && (string.IsNullOrWhiteSpace(_search) || Matches(r, _search.Trim())))];

    private static bool Matches(RuleRow rule, string text) =>
        rule.Key.Contains(text, StringComparison.OrdinalIgnoreCase)
        || rule.Definition.Name.Contains(text, StringComparison.OrdinalIgnoreCase)
        || ScopeText(rule.Definition.Scope).Contains(text, StringComparison.OrdinalIgnoreCase);

    internal static string ScopeText(RuleScope scope)
    {
        var parts = new[] { scope.SensorKey, scope.SiteKey, scope.AssetType?.ToString(), scope.Metric?.ToString() }.OfType<string>().ToList();
        return parts.Count == 0 ? "everything" : string.Join(" · ", parts);
    }

    private static string EditHref(string key) => $"/admin/rules/{Uri.EscapeDataString(key)}";

    private void Select(string key, bool on)
    {
        if (on)
        {
            _selected.Add(key);
        }
        else
        {
            _selected.Remove(key);
        }
    }

    private void SelectAll(IEnumerable<RuleRow> shown, bool on)
    {
        foreach (var rule in shown)
        {
            Select(rule.Key, on);
        }
    }

    private void Ask(PendingKind kind, string key)
    {
        _pending = new Pending(kind, key);
        _pendingText = kind == PendingKind.Clone ? key + ".copy" : null;
    }

    private string? CloneProblem()
    {
        var key = _pendingText?.Trim();
        return string.IsNullOrEmpty(key) ? "The copy needs a key."
            : _rules.Any(r => r.Key == key) ? $"A rule with the key \"{key}\" already exists."
            : null;
    }

    private async Task ConfirmAsync()
    {
        if (_pending is not { } pending)
        {
            return;
        }
        await RunAsync(async user =>
        {
            if (pending.Kind == PendingKind.Delete)
            {
                await Admin.DeleteAsync(user, pending.Key, string.IsNullOrWhiteSpace(_pendingText) ? null : _pendingText.Trim(), CancellationToken.None);
                _selected.Remove(pending.Key);
                Snackbar.Add($"Rule {pending.Key} deleted; its history is kept.", Severity.Success);
            }
            else
            {
                var newKey = _pendingText!.Trim();
                await Admin.CloneAsync(user, pending.Key, newKey, CancellationToken.None);
                Snackbar.Add($"Rule {pending.Key} cloned as {newKey}.", Severity.Success);
            }
            _pending = null;
        }, $"{pending.Kind} of rule {pending.Key}");
    }

    private Task SetEnabledAsync(bool enabled) => RunAsync(async user =>
    {
        var changed = await Admin.SetEnabledAsync(user, [.. _selected], enabled, CancellationToken.None);
        Snackbar.Add($"{changed} {(changed == 1 ? "rule" : "rules")} {(enabled ? "enabled" : "disabled")}.", Severity.Success);
    }, enabled ? "Enabling rules" : "Disabling rules");

    private async Task ExportAsync(IReadOnlyCollection<string>? keys)
    {
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            var json = await Admin.ExportAsync(user, keys is null ? null : [.. keys], CancellationToken.None);
            _module ??= await Js.InvokeAsync<IJSObjectReference>("import", RuleBacktestPanel.ModulePath);
            await _module.InvokeVoidAsync("download", keys is null ? "alert-rules.json" : $"alert-rules-{keys.Count}.json", "application/json", json);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or KeyNotFoundException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e) when (e is not JSDisconnectedException)
        {
            Logger.LogError(e, "Exporting rules failed");
            Snackbar.Add($"The export failed: {e.Message}", Severity.Error);
        }
    }

    /// <summary>Runs a change as the signed-in administrator, reports a refusal or failure, and reloads the list.</summary>
    private async Task RunAsync(Func<System.Security.Claims.ClaimsPrincipal, Task> change, string what)
    {
        _busy = true;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            await change(user);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException or UnauthorizedAccessException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "{Change} failed", what);
            Snackbar.Add($"{what} failed: {e.Message}", Severity.Error);
        }
        finally
        {
            _busy = false;
        }
        await LoadAsync();
    }

    public async ValueTask DisposeAsync() => await BrowserObjects.ReleaseAsync(_module);
}
