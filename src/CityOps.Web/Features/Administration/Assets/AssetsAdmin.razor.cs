using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>
/// The registry administration page: the tree of sites and assets on the left, the selected node's details on the
/// right (its form, its sensors and actuators), CSV import and export. Every change goes through
/// <see cref="AssetRegistry"/>, which checks the caller, validates, audits and tells every node.
/// </summary>
public sealed partial class AssetsAdmin
{
    private enum Mode { None, Site, Asset, NewSite, NewAsset }

    private RegistryTree? _tree;
    private string? _selectedId;
    private Mode _mode;
    private SiteNode? _selectedSite;
    private AssetNode? _selectedAsset;
    private SiteNode? _assetSite;
    private SiteEditor _siteEditor = new();
    private AssetEditor _assetEditor = new();
    private AssetEquipment? _equipment;
    private ClaimsPrincipal _user = new();
    // A new key re-creates the form, so its messages belong to the node shown.
    private int _formKey;

    [Inject] public required AssetRegistry Registry { get; init; }

    [Inject] public required IDialogService Dialogs { get; init; }

    [Inject] public required ISnackbar Snackbar { get; init; }

    [Inject] public required IWebHostEnvironment Environment { get; init; }

    [Inject] public required IJSRuntime JS { get; init; }

    [CascadingParameter] public required Task<AuthenticationState> AuthenticationState { get; set; }

    protected override async Task OnInitializedAsync()
    {
        _user = (await AuthenticationState).User;
        _tree = await Registry.GetTreeAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            try
            {
                await JS.InvokeAsync<IJSObjectReference>("import", "./js/asset-tree.js");
            }
            catch (JSDisconnectedException)
            {
                // The page was left before it finished loading.
            }
        }
    }

    private async Task ReloadAsync(string? select)
    {
        _tree = await Registry.GetTreeAsync();
        if (select is not null)
        {
            await SelectAsync(select);
        }
        else
        {
            _mode = Mode.None;
            _selectedId = null;
        }
    }

    private async Task SelectAsync(string id)
    {
        _formKey++;
        _selectedId = id;
        _equipment = null;
        if (id.StartsWith("site:", StringComparison.Ordinal) && _tree!.FindSite(id[5..]) is { } site)
        {
            _mode = Mode.Site;
            _selectedSite = site;
            _siteEditor = SiteEditor.From(site.Site);
        }
        else if (id.StartsWith("asset:", StringComparison.Ordinal) && _tree!.FindAsset(id[6..]) is { } asset)
        {
            _mode = Mode.Asset;
            _selectedAsset = asset;
            _assetSite = _tree.FindSite(asset.Asset.SiteKey);
            _assetEditor = AssetEditor.From(asset.Asset);
            _equipment = await Registry.GetEquipmentAsync(asset.Asset.Key);
        }
        else
        {
            _mode = Mode.None;
        }
    }

    private void NewSite()
    {
        _formKey++;
        var first = _tree?.Sites.FirstOrDefault()?.Site;
        _siteEditor = new SiteEditor { Latitude = first?.Latitude ?? 0, Longitude = first?.Longitude ?? 0, TimeZone = first?.TimeZone ?? "UTC" };
        _mode = Mode.NewSite;
    }

    private void NewAsset(SiteNode site, AssetNode? parent)
    {
        _formKey++;
        _assetSite = site;
        _assetEditor = new AssetEditor
        {
            SiteKey = site.Site.Key,
            ParentKey = parent?.Asset.Key,
            Key = parent is null ? site.Site.Key + "." : parent.Asset.Key + ".",
            Latitude = parent?.Asset.Latitude ?? site.Site.Latitude,
            Longitude = parent?.Asset.Longitude ?? site.Site.Longitude,
        };
        _mode = Mode.NewAsset;
    }

    private async Task CancelNew()
    {
        if (_selectedId is not null)
        {
            await SelectAsync(_selectedId);
        }
        else
        {
            _mode = Mode.None;
        }
    }

    private async Task<IReadOnlyList<RegistryError>> SaveSiteAsync(SiteInput input)
    {
        var isNew = _mode == Mode.NewSite;
        var errors = await TryAsync(() => isNew ? Registry.CreateSiteAsync(_user, input) : Registry.UpdateSiteAsync(_user, input.Key, input));
        if (errors.Count == 0)
        {
            Snackbar.Add(isNew ? $"Site {input.Key} created." : $"Site {input.Key} saved.", Severity.Success);
            await ReloadAsync(RegistryTreeView.SiteId(input.Key.Trim()));
            // The form's button raised this, so only the form would render otherwise.
            StateHasChanged();
        }
        return errors;
    }

    private async Task<IReadOnlyList<RegistryError>> SaveAssetAsync(AssetInput input)
    {
        var isNew = _mode == Mode.NewAsset;
        var errors = await TryAsync(() => isNew ? Registry.CreateAssetAsync(_user, input) : Registry.UpdateAssetAsync(_user, input.Key, input));
        if (errors.Count == 0)
        {
            Snackbar.Add(isNew ? $"Asset {input.Key} created." : $"Asset {input.Key} saved.", Severity.Success);
            await ReloadAsync(RegistryTreeView.AssetId(input.Key.Trim()));
            // The form's button raised this, so only the form would render otherwise.
            StateHasChanged();
        }
        return errors;
    }

    private async Task MoveAsync(RegistryTreeView.MoveRequest move)
    {
        var asset = _tree?.FindAsset(move.AssetKey);
        if (asset is null)
        {
            return;
        }
        var target = move.ParentKey is null ? $"the top of site {move.SiteKey}" : $"{_tree!.FindAsset(move.ParentKey)?.Asset.Name} ({move.ParentKey})";
        var acrossSites = move.SiteKey != asset.Asset.SiteKey;
        var message = $"Move {asset.Asset.Name} ({asset.Asset.Key}) under {target}?" +
            (acrossSites ? " It changes site, and its child assets move with it." : "");
        if (await Dialogs.ShowMessageBoxAsync("Move asset", message, yesText: "Move", cancelText: "Cancel") != true)
        {
            return;
        }
        var errors = await TryAsync(() => Registry.UpdateAssetAsync(_user, asset.Asset.Key,
            asset.Asset with { SiteKey = move.SiteKey, ParentKey = move.ParentKey }));
        if (errors.Count > 0)
        {
            Snackbar.Add($"Not moved: {string.Join(" ", errors.Select(e => e.Message))}", Severity.Error);
            return;
        }
        Snackbar.Add($"{asset.Asset.Key} moved.", Severity.Success);
        await ReloadAsync(RegistryTreeView.AssetId(asset.Asset.Key));
    }

    private async Task DeleteSiteAsync()
    {
        var site = _selectedSite!.Site;
        if (await Dialogs.ShowMessageBoxAsync("Delete site", $"Delete site {site.Name} ({site.Key})? Only an empty site can be deleted.",
                yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }
        var errors = await TryAsync(() => Registry.DeleteSiteAsync(_user, site.Key));
        if (errors.Count > 0)
        {
            Snackbar.Add(string.Join(" ", errors.Select(e => e.Message)), Severity.Error);
            return;
        }
        Snackbar.Add($"Site {site.Key} deleted.", Severity.Success);
        await ReloadAsync(null);
    }

    private async Task DeleteAssetAsync()
    {
        var asset = _selectedAsset!.Asset;
        var plan = await Registry.PlanAssetDeletionAsync(asset.Key);
        if (!await ConfirmAsync($"Delete {asset.Name} ({asset.Key})", plan))
        {
            return;
        }
        var errors = await TryAsync(() => Registry.DeleteAssetAsync(_user, asset.Key, withEquipment: plan.DeletesEquipment));
        if (errors.Count > 0)
        {
            Snackbar.Add(string.Join(" ", errors.Select(e => e.Message)), Severity.Error);
            return;
        }
        Snackbar.Add($"Asset {asset.Key} deleted.", Severity.Success);
        await ReloadAsync(asset.ParentKey is { } parent ? RegistryTreeView.AssetId(parent) : RegistryTreeView.SiteId(asset.SiteKey));
    }

    private async Task EditSensorAsync(SensorInput? sensor)
    {
        var asset = _selectedAsset!.Asset;
        var isNew = sensor is null;
        var parameters = new DialogParameters<SensorDialog>
        {
            { d => d.Model, sensor is null ? new SensorEditor { AssetKey = asset.Key, Key = asset.Key + "." } : SensorEditor.From(sensor) },
            { d => d.IsNew, isNew },
            { d => d.Center, (asset.Latitude, asset.Longitude) },
            { d => d.BaseMapUrl, BaseMap(asset.SiteKey) },
            { d => d.Save, new SaveHandler<SensorInput>(input =>
                TryAsync(() => isNew ? Registry.CreateSensorAsync(_user, input) : Registry.UpdateSensorAsync(_user, input.Key, input))) },
        };
        var dialog = await Dialogs.ShowAsync<SensorDialog>(isNew ? $"Add a sensor to {asset.Name}" : $"Sensor {sensor!.Key}", parameters,
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: string key })
        {
            Snackbar.Add(isNew ? $"Sensor {key} added; ingest accepts its readings now." : $"Sensor {key} saved.", Severity.Success);
            await ReloadAsync(RegistryTreeView.AssetId(asset.Key));
        }
    }

    private async Task DeleteSensorAsync(SensorInput sensor)
    {
        var plan = await Registry.PlanSensorDeletionAsync(sensor.Key);
        if (!await ConfirmAsync($"Delete sensor {sensor.Key}", plan))
        {
            return;
        }
        var errors = await TryAsync(() => Registry.DeleteSensorAsync(_user, sensor.Key));
        Snackbar.Add(errors.Count > 0 ? string.Join(" ", errors.Select(e => e.Message)) : $"Sensor {sensor.Key} deleted.",
            errors.Count > 0 ? Severity.Error : Severity.Success);
        await ReloadAsync(RegistryTreeView.AssetId(sensor.AssetKey));
    }

    private async Task EditActuatorAsync(ActuatorInput? actuator)
    {
        var asset = _selectedAsset!.Asset;
        var isNew = actuator is null;
        var parameters = new DialogParameters<ActuatorDialog>
        {
            { d => d.Model, actuator is null ? new ActuatorEditor { AssetKey = asset.Key, Key = asset.Key + "." } : ActuatorEditor.From(actuator) },
            { d => d.IsNew, isNew },
            { d => d.Save, new SaveHandler<ActuatorInput>(input =>
                TryAsync(() => isNew ? Registry.CreateActuatorAsync(_user, input) : Registry.UpdateActuatorAsync(_user, input.Key, input))) },
        };
        var dialog = await Dialogs.ShowAsync<ActuatorDialog>(isNew ? $"Add an actuator to {asset.Name}" : $"Actuator {actuator!.Key}", parameters,
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        if (await dialog.Result is { Canceled: false, Data: string key })
        {
            Snackbar.Add($"Actuator {key} saved.", Severity.Success);
            await ReloadAsync(RegistryTreeView.AssetId(asset.Key));
        }
    }

    private async Task DeleteActuatorAsync(ActuatorInput actuator)
    {
        if (await Dialogs.ShowMessageBoxAsync("Delete actuator",
                $"Delete actuator {actuator.Key}? Commands already sent to it stay in the command history, which stores its key.",
                yesText: "Delete", cancelText: "Cancel") != true)
        {
            return;
        }
        var errors = await TryAsync(() => Registry.DeleteActuatorAsync(_user, actuator.Key));
        Snackbar.Add(errors.Count > 0 ? string.Join(" ", errors.Select(e => e.Message)) : $"Actuator {actuator.Key} deleted.",
            errors.Count > 0 ? Severity.Error : Severity.Success);
        await ReloadAsync(RegistryTreeView.AssetId(actuator.AssetKey));
    }

    private async Task ImportAsync()
    {
        var parameters = new DialogParameters<ImportDialog> { { d => d.User, _user } };
        var dialog = await Dialogs.ShowAsync<ImportDialog>("Import from CSV", parameters,
            new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true, BackdropClick = false });
        if (await dialog.Result is { Canceled: false })
        {
            await ReloadAsync(_selectedId);
        }
    }

    private async Task<bool> ConfirmAsync(string title, DeletionPlan plan)
    {
        var dialog = await Dialogs.ShowAsync<DeleteDialog>(title, new DialogParameters<DeleteDialog> { { d => d.Plan, plan } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        return await dialog.Result is { Canceled: false } && plan.Allowed;
    }

    /// <summary>Runs a registry operation; the reasons it was refused, or none.</summary>
    private static async Task<IReadOnlyList<RegistryError>> TryAsync(Func<Task> operation)
    {
        try
        {
            await operation();
            return [];
        }
        catch (RegistryValidationException e)
        {
            return e.Errors;
        }
        catch (Exception e) when (e is RegistryConflictException or RegistryNotFoundException or UnauthorizedAccessException)
        {
            return [new("", e.Message)];
        }
    }

    private static (double Latitude, double Longitude) Center(SiteNode site) => (site.Site.Latitude, site.Site.Longitude);

    private string? BaseMap(string siteKey)
    {
        var path = $"maps/{siteKey}.geojson";
        return Environment.WebRootFileProvider.GetFileInfo(path).Exists ? path : null;
    }

    /// <summary>The assets of the site <paramref name="self"/> may be put under: every one but itself and its descendants, indented by depth.</summary>
    private static IReadOnlyList<AssetForm.Choice> ParentChoices(SiteNode site, AssetNode? self)
    {
        var excluded = self?.SelfAndDescendants().Select(a => a.Asset.Key).ToHashSet(StringComparer.Ordinal) ?? [];
        var choices = new List<AssetForm.Choice>();
        void Add(AssetNode node, int depth)
        {
            if (excluded.Contains(node.Asset.Key))
            {
                return;
            }
            choices.Add(new(node.Asset.Key, $"{new string('\u00a0', depth * 3)}{node.Asset.Name} ({node.Asset.Key})"));
            foreach (var child in node.Children)
            {
                Add(child, depth + 1);
            }
        }
        foreach (var root in site.Assets)
        {
            Add(root, 0);
        }
        return choices;
    }
}
