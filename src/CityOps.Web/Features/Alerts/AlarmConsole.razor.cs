using CityOps.Web.Components;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.ControlRoom;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// The operator's alarm list: standing alarms by priority then time, filtered, selected with mouse or keyboard
/// (j/k or arrows, space, a), acknowledged, shelved or commented. New High and Critical alarms sound a short tone.
/// During a flood the list groups by asset, showing each asset's first alarm (the probable cause) and folding the
/// rest, under a short list of what to act on first.
/// </summary>
public sealed partial class AlarmConsole : IAsyncDisposable
{
    internal const string SoundModulePath = "./js/alarm-sound.js";
    internal const int ActFirstCount = 5;
    private readonly CancellationTokenSource _disposed = new();
    private readonly HashSet<AlarmPriority> _priorities = [];
    private readonly HashSet<long> _selected = [];
    private readonly HashSet<string> _expanded = new(StringComparer.Ordinal);
    private readonly HashSet<long> _heard = [];
    private Dictionary<string, ScreenSite> _sites = new(StringComparer.Ordinal);
    private IReadOnlyList<AlarmView> _all = [];
    private IReadOnlyList<AreaFloodStatus> _floods = [];
    private List<Row> _rows = [];
    private IDisposable? _subscription;
    private IJSObjectReference? _sound;
    private StateFilter _state = StateFilter.Annunciated;
    private string? _area;
    private string? _text;
    private long? _cursor;
    private bool _muted;
    private bool _soundBlocked;
    private bool _loaded;

    [Inject] public required AlarmBoard Board { get; init; }

    [Inject] public required AlarmCommands Commands { get; init; }

    [Inject] public required IScreenDirectory Directory { get; init; }

    [Inject] public required IJSRuntime JS { get; init; }

    [Inject] public required NavigationManager Navigation { get; init; }

    [Inject] public required ILogger<AlarmConsole> Logger { get; init; }

    /// <summary>Which states the list shows; the default is what ISA-18.2 annunciates (not shelved, suppressed or out of service).</summary>
    public enum StateFilter { Annunciated, Unacknowledged, Acknowledged, Shelved, Suppressed, OutOfService, All }

    /// <summary>A row of the list. In a flood, <paramref name="Folded"/> counts the asset's later alarms hidden under the first.</summary>
    internal sealed record Row(AlarmView Alarm, string? Group, bool FirstOfGroup, int Folded);

    internal bool Flooding => _floods.Any(f => f.Flooding);

    protected override async Task OnInitializedAsync()
    {
        var world = await Directory.LoadAsync(cancellationToken: _disposed.Token);
        _sites = world.Sites.ToDictionary(s => s.Key, StringComparer.Ordinal);
        Refresh();
        // What stands when the page opens was announced before; only alarms raised afterwards sound.
        _heard.UnionWith(_all.Select(a => a.Id));
        _loaded = true;
        _subscription = Board.Subscribe(() => InvokeAsync(OnBoardChangedAsync));
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }
        try
        {
            _sound = await JS.InvokeAsync<IJSObjectReference>("import", _disposed.Token, SoundModulePath);
            var state = await _sound.InvokeAsync<SoundState>("init", _disposed.Token);
            _muted = state.Muted;
            _soundBlocked = !state.Unlocked;
            StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
            // The page closed while loading.
        }
    }

    /// <summary>What the sound module reports: the operator's mute choice and whether the browser lets the page play audio yet.</summary>
    internal sealed record SoundState(bool Muted, bool Unlocked);

    private async Task OnBoardChangedAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        Refresh();
        StateHasChanged();
        await SoundNewAlarmsAsync();
    }

    private void Refresh()
    {
        _all = Board.Standing();
        _floods = Board.Floods();
        var shown = AlarmStyle.InListOrder(_all.Where(Matches)).ToList();
        _rows = Flooding ? Grouped(shown) : shown.Select(a => new Row(a, null, false, 0)).ToList();
        var standing = _all.Select(a => a.Id).ToHashSet();
        _selected.IntersectWith(standing);
        if (_cursor is { } c && !_rows.Any(r => r.Alarm.Id == c))
        {
            _cursor = _rows.FirstOrDefault()?.Alarm.Id;
        }
    }

    /// <summary>Per asset, the first alarm (probable first cause) leads; the rest are folded unless the operator opened the group.</summary>
    private List<Row> Grouped(IReadOnlyList<AlarmView> shown)
    {
        var rows = new List<Row>();
        var groups = shown
            .GroupBy(a => a.AssetKey, StringComparer.Ordinal)
            .Select(g => g.OrderBy(a => a.RaisedAt).ThenBy(a => a.Id).ToList())
            .OrderByDescending(g => g.Max(a => a.Priority))
            .ThenBy(g => g[0].RaisedAt);
        foreach (var g in groups)
        {
            var key = g[0].AssetKey;
            var open = _expanded.Contains(key);
            rows.Add(new Row(g[0], key, true, open ? 0 : g.Count - 1));
            if (open)
            {
                rows.AddRange(g.Skip(1).Select(a => new Row(a, key, false, 0)));
            }
        }
        return rows;
    }

    internal bool Matches(AlarmView a)
    {
        var stateOk = _state switch
        {
            StateFilter.Annunciated => AlarmStyle.IsAnnunciated(a.State),
            StateFilter.Unacknowledged => AlarmStyle.IsUnacknowledged(a.State),
            StateFilter.Acknowledged => a.State == AlarmState.ActiveAcknowledged,
            StateFilter.Shelved => a.State == AlarmState.Shelved,
            StateFilter.Suppressed => a.State == AlarmState.SuppressedByDesign,
            StateFilter.OutOfService => a.State == AlarmState.OutOfService,
            _ => true,
        };
        if (!stateOk || (_priorities.Count > 0 && !_priorities.Contains(a.Priority)) || (_area is not null && AreaKey(a) != _area))
        {
            return false;
        }
        if (string.IsNullOrWhiteSpace(_text))
        {
            return true;
        }
        var text = _text.Trim();
        return a.Message.Contains(text, StringComparison.OrdinalIgnoreCase)
            || a.AssetKey.Contains(text, StringComparison.OrdinalIgnoreCase)
            || a.SourceKey.Contains(text, StringComparison.OrdinalIgnoreCase)
            || a.RuleName.Contains(text, StringComparison.OrdinalIgnoreCase)
            || (a.Detail?.Contains(text, StringComparison.OrdinalIgnoreCase) ?? false);
    }

    internal static string AreaKey(AlarmView a) => $"{a.SiteKey}|{a.Area}";

    private string AreaLabel(string areaKey)
    {
        var bar = areaKey.IndexOf('|');
        var site = areaKey[..bar];
        var siteName = _sites.TryGetValue(site, out var s) ? s.Name : site;
        return $"{siteName} · {areaKey[(bar + 1)..]}";
    }

    private IEnumerable<string> Areas() => _all.Select(AreaKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>The highest-priority, oldest unacknowledged alarms: where to start when everything is red.</summary>
    internal IReadOnlyList<AlarmView> ActFirst() => _all
        .Where(a => AlarmStyle.IsUnacknowledged(a.State))
        .OrderByDescending(a => a.Priority)
        .ThenBy(a => a.RaisedAt)
        .ThenBy(a => a.Id)
        .Take(ActFirstCount)
        .ToList();

    private TimeZoneInfo ZoneOf(AlarmView a) => _sites.TryGetValue(a.SiteKey, out var s) ? s.TimeZone : TimeZoneInfo.Utc;

    private void TogglePriority(AlarmPriority p)
    {
        if (!_priorities.Remove(p))
        {
            _priorities.Add(p);
        }
        Refresh();
    }

    private void SetState(StateFilter state)
    {
        _state = state;
        Refresh();
    }

    private void SetArea(string? area)
    {
        _area = string.IsNullOrEmpty(area) ? null : area;
        Refresh();
    }

    private void SetText(string? text)
    {
        _text = text;
        Refresh();
    }

    private void ToggleGroup(string asset)
    {
        if (!_expanded.Remove(asset))
        {
            _expanded.Add(asset);
        }
        Refresh();
    }

    private void ToggleSelected(long id)
    {
        if (!_selected.Remove(id))
        {
            _selected.Add(id);
        }
        _cursor = id;
    }

    private void ToggleAll()
    {
        if (_rows.Count > 0 && _rows.All(r => _selected.Contains(r.Alarm.Id)))
        {
            _selected.Clear();
        }
        else
        {
            _selected.UnionWith(_rows.Select(r => r.Alarm.Id));
        }
    }

    private void MoveCursor(int step)
    {
        if (_rows.Count == 0)
        {
            _cursor = null;
            return;
        }
        var at = _cursor is { } c ? _rows.FindIndex(r => r.Alarm.Id == c) : -1;
        var next = at < 0 ? (step > 0 ? 0 : _rows.Count - 1) : Math.Clamp(at + step, 0, _rows.Count - 1);
        _cursor = _rows[next].Alarm.Id;
    }

    internal async Task OnKeyDownAsync(KeyboardEventArgs e)
    {
        if (e.CtrlKey || e.AltKey || e.MetaKey)
        {
            return;
        }
        switch (e.Key)
        {
            case "j" or "ArrowDown":
                MoveCursor(1);
                break;
            case "k" or "ArrowUp":
                MoveCursor(-1);
                break;
            case "Home":
                _cursor = _rows.FirstOrDefault()?.Alarm.Id;
                break;
            case "End":
                _cursor = _rows.LastOrDefault()?.Alarm.Id;
                break;
            case " " or "x" when _cursor is { } c:
                ToggleSelected(c);
                break;
            case "Enter" when _cursor is { } c:
                Navigation.NavigateTo($"/alarms/{c}");
                break;
            case "a":
                await AcknowledgeAsync();
                break;
        }
    }

    /// <summary>The alarms the action buttons and keys act on: the selection, or the focused row when nothing is selected.</summary>
    internal IReadOnlyList<long> Targets() =>
        _selected.Count > 0 ? _rows.Select(r => r.Alarm.Id).Where(_selected.Contains).ToList()
        : _cursor is { } c ? [c]
        : [];

    private async Task AcknowledgeAsync()
    {
        var ids = Targets().Where(id => Board.Get(id) is { } a && AlarmStyle.IsUnacknowledged(a.State)).ToList();
        if (ids.Count > 0 && await Commands.AcknowledgeAsync(ids, _disposed.Token) > 0)
        {
            _selected.ExceptWith(ids);
        }
    }

    private async Task ShelveAsync()
    {
        if (SingleTarget() is { } alarm && await Commands.ShelveAsync(alarm, _disposed.Token))
        {
            _selected.Remove(alarm.Id);
        }
    }

    private async Task CommentAsync()
    {
        if (SingleTarget() is { } alarm)
        {
            await Commands.CommentAsync(alarm, _disposed.Token);
        }
    }

    /// <summary>Shelving and comments need a reason per alarm, so they act on exactly one.</summary>
    private AlarmView? SingleTarget() => Targets() is [var id] ? Board.Get(id) : null;

    private async Task SoundNewAlarmsAsync()
    {
        var fresh = _all.Where(a => _heard.Add(a.Id)).ToList();
        _heard.IntersectWith(_all.Select(a => a.Id));
        var loudest = fresh.Where(a => a.State == AlarmState.ActiveUnacknowledged && a.Priority >= AlarmPriority.High)
            .Select(a => (AlarmPriority?)a.Priority).Max();
        if (loudest is not { } p || _muted || _sound is null)
        {
            return;
        }
        try
        {
            var played = await _sound.InvokeAsync<bool>("beep", _disposed.Token, AlarmStyle.Name(p));
            if (_soundBlocked == played)
            {
                _soundBlocked = !played;
                StateHasChanged();
            }
        }
        catch (JSDisconnectedException)
        {
            // The page is gone.
        }
    }

    private async Task ToggleMuteAsync()
    {
        _muted = !_muted;
        if (_sound is not null)
        {
            // The click is a user gesture: the browser lets the page start its audio now.
            var state = await _sound.InvokeAsync<SoundState>("setMuted", _disposed.Token, _muted);
            _soundBlocked = !state.Unlocked;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        await _disposed.CancelAsync();
        _disposed.Dispose();
        await BrowserObjects.ReleaseAsync(_sound);
    }
}
