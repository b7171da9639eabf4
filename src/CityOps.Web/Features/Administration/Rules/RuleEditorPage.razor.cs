using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>
/// Creates a rule or edits one as a new version: every field of the definition, validated as it is typed (each
/// problem under its field and in a summary), with a backtest of the edit and the rule's version history beside it.
/// </summary>
public sealed partial class RuleEditorPage : ComponentBase
{
    [Inject] public required IRulePagesBackend Admin { get; init; }
    [Inject] public required SensorCatalog Sensors { get; init; }
    [Inject] public required IEnumerable<IPlaybook> Playbooks { get; init; }
    [Inject] public required AuthenticationStateProvider Auth { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required ILogger<RuleEditorPage> Logger { get; init; }

    /// <summary>The rule's key; null on <c>/admin/rules/new</c>.</summary>
    [Parameter] public string? Key { get; set; }

    private bool IsNew => Key is null;

    private RuleDetail? _detail;
    private bool _loading = true;
    private bool _notFound;
    private bool _saving;
    private string? _loadedKey;

    private string _key = string.Empty;
    private string _name = string.Empty;
    private string _message = string.Empty;
    private AlarmPriority _priority = AlarmPriority.Medium;
    private bool _enabled = true;
    private string? _sensorKey;
    private string? _siteKey;
    private AssetType? _assetType;
    private MetricKind? _metric;
    private string _modelKind = "limit";
    private readonly Dictionary<string, ModelParameters> _models = [];
    private string _cause = string.Empty;
    private string _consequence = string.Empty;
    private string _correctiveAction = string.Empty;
    private TimeSpan _timeToRespond = TimeSpan.FromMinutes(10);
    private List<string> _playbooks = [];
    private string? _newPlaybook;
    private string? _changeNote;
    private string? _backtestedJson;

    private ModelParameters CurrentModel => _models.TryGetValue(_modelKind, out var model) ? model : _models[_modelKind] = RuleModels.Default(_modelKind);

    /// <summary>The rule as the form stands.</summary>
    private AlertRuleDefinition Definition => new(
        _key,
        _name.Trim(),
        new RuleScope(_sensorKey, _siteKey, _assetType, _metric),
        CurrentModel,
        _priority,
        _message.Trim(),
        new Rationalisation(_cause.Trim(), _consequence.Trim(), _correctiveAction.Trim(), _timeToRespond),
        [.. _playbooks],
        _enabled);

    private IReadOnlyList<RuleProblem> Problems => RuleValidation.Validate(Definition);

    private bool Backtested => _backtestedJson is not null && _backtestedJson == AlertRuleJson.Serialize(Definition);

    private bool Changed => _detail is not null && AlertRuleJson.Serialize(_detail.Definition) != AlertRuleJson.Serialize(Definition);

    /// <summary>The known playbooks, then any other key the rule names.</summary>
    private IEnumerable<string> PlaybookChoices => Playbooks.Select(p => p.Key).Order(StringComparer.Ordinal).Union(_playbooks);

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedKey == (Key ?? "") && !_loading)
        {
            return;
        }
        _loadedKey = Key ?? "";
        _loading = true;
        _notFound = false;
        _detail = null;
        _backtestedJson = null;
        if (Key is null)
        {
            Fill(new AlertRuleDefinition("", "", new RuleScope(), RuleModels.Default("limit"), AlarmPriority.Medium, "",
                new Rationalisation("", "", "", TimeSpan.FromMinutes(10)), []));
        }
        else
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            _detail = await Admin.GetAsync(user, Key, CancellationToken.None);
            if (_detail is null)
            {
                _notFound = true;
            }
            else
            {
                Fill(_detail.Definition);
            }
        }
        _loading = false;
    }

    private void Fill(AlertRuleDefinition d)
    {
        _key = d.Key;
        _name = d.Name;
        _message = d.Message;
        _priority = d.Priority;
        _enabled = d.Enabled;
        _sensorKey = d.Scope.SensorKey;
        _siteKey = d.Scope.SiteKey;
        _assetType = d.Scope.AssetType;
        _metric = d.Scope.Metric;
        _modelKind = RuleModels.KindOf(d.Model);
        _models.Clear();
        _models[_modelKind] = d.Model;
        _cause = d.Rationalisation.Cause;
        _consequence = d.Rationalisation.Consequence;
        _correctiveAction = d.Rationalisation.CorrectiveAction;
        _timeToRespond = d.Rationalisation.TimeToRespond;
        _playbooks = [.. d.Playbooks];
        _changeNote = null;
    }

    private void SelectModel(string kind) => _modelKind = kind;

    private Task<IEnumerable<string>> SearchSensors(string? text, CancellationToken ct) =>
        Task.FromResult<IEnumerable<string>>(Sensors.All.Select(s => s.Key)
            .Where(k => string.IsNullOrWhiteSpace(text) || k.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList());

    private Task<IEnumerable<string>> SearchSites(string? text, CancellationToken ct) =>
        Task.FromResult<IEnumerable<string>>(Sensors.All.Select(s => s.SiteKey).Distinct()
            .Where(k => string.IsNullOrWhiteSpace(text) || k.Contains(text.Trim(), StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal).ToList());

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private void SetPlaybooks(IReadOnlyCollection<string>? selected)
    {
        var chosen = selected ?? [];
        // Keep the administrator's order: the ones kept, then the ones just picked.
        _playbooks = [.. _playbooks.Where(chosen.Contains), .. chosen.Where(k => !_playbooks.Contains(k))];
    }

    private void AddPlaybook()
    {
        var key = Blank(_newPlaybook);
        if (key is not null && !_playbooks.Contains(key))
        {
            _playbooks = [.. _playbooks, key];
        }
        _newPlaybook = null;
    }

    private void PlaybookKeyDown(KeyboardEventArgs e)
    {
        if (e.Key == "Enter")
        {
            AddPlaybook();
        }
    }

    private static string? Err(IReadOnlyList<RuleProblem> problems, string field) => RuleProblems.MessageFor(problems, field);

    private static bool Has(IReadOnlyList<RuleProblem> problems, string field) => Err(problems, field) is not null;

    private async Task SaveAsync()
    {
        var definition = Definition;
        if (RuleValidation.Validate(definition).Count > 0)
        {
            return;
        }
        _saving = true;
        try
        {
            var user = (await Auth.GetAuthenticationStateAsync()).User;
            var version = await Admin.SaveAsync(user, definition, Blank(_changeNote), CancellationToken.None);
            Snackbar.Add(version == 1 ? $"Rule {definition.Key} created." : $"Rule {definition.Key} saved as version {version}.", Severity.Success);
            if (IsNew)
            {
                Navigation.NavigateTo($"/admin/rules/{Uri.EscapeDataString(definition.Key)}");
                return;
            }
            await ReloadAsync(keepBacktest: true);
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            Snackbar.Add(e.Message, Severity.Error);
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Saving rule {RuleKey} failed", definition.Key);
            Snackbar.Add($"The rule could not be saved: {e.Message}", Severity.Error);
        }
        finally
        {
            _saving = false;
        }
    }

    private Task RestoredAsync(int version) => ReloadAsync(keepBacktest: false);

    private async Task ReloadAsync(bool keepBacktest)
    {
        var backtested = _backtestedJson;
        var user = (await Auth.GetAuthenticationStateAsync()).User;
        _detail = await Admin.GetAsync(user, _key, CancellationToken.None);
        if (_detail is null)
        {
            _notFound = true;
            return;
        }
        Fill(_detail.Definition);
        _backtestedJson = keepBacktest ? backtested : null;
    }
}
