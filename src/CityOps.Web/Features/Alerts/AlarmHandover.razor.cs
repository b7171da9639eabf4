using CityOps.Analytics.Alerts;
using CityOps.Web.Features.ControlRoom;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// What the next shift must know: standing alarms (unacknowledged first), shelved ones with until when and why,
/// suppressed and out-of-service ones, and counts per priority and per area. Printable.
/// </summary>
public sealed partial class AlarmHandover : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private Dictionary<string, ScreenSite> _sites = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string?> _shelveReasons = [];
    private IReadOnlyList<AlarmView> _all = [];
    private IDisposable? _subscription;
    private DateTime _preparedAt;
    private bool _loaded;

    [Inject] public required AlarmBoard Board { get; init; }

    [Inject] public required AlarmOperations Operations { get; init; }

    [Inject] public required IScreenDirectory Directory { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required IJSRuntime JS { get; init; }

    [Inject] public required ILogger<AlarmHandover> Logger { get; init; }

    /// <summary>One row of the per-area table: the area and its count per priority (most urgent first).</summary>
    internal sealed record AreaCount(string Site, string Area, IReadOnlyList<int> ByPriority, int Total);

    protected override async Task OnInitializedAsync()
    {
        var world = await Directory.LoadAsync(cancellationToken: _disposed.Token);
        _sites = world.Sites.ToDictionary(s => s.Key, StringComparer.Ordinal);
        Refresh();
        _loaded = true;
        _subscription = Board.Subscribe(() => InvokeAsync(async () =>
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }
            Refresh();
            StateHasChanged();
            await LoadShelveReasonsAsync();
            StateHasChanged();
        }));
        await LoadShelveReasonsAsync();
    }

    private void Refresh()
    {
        _all = Board.Standing();
        _preparedAt = Time.GetUtcNow().UtcDateTime;
    }

    /// <summary>Reads why each shelved alarm was shelved (once per alarm); the counts and lists do not wait for it.</summary>
    private async Task LoadShelveReasonsAsync()
    {
        foreach (var a in _all.Where(a => a.State == AlarmState.Shelved && !_shelveReasons.ContainsKey(a.Id)).ToList())
        {
            _shelveReasons[a.Id] = await ShelveReasonAsync(a.Id);
        }
    }

    /// <summary>The reason given with the latest shelving; null when the history cannot be read.</summary>
    private async Task<string?> ShelveReasonAsync(long id)
    {
        try
        {
            var history = await Operations.HistoryAsync(id, _disposed.Token);
            return history.LastOrDefault(e => e.To == AlarmState.Shelved)?.Reason;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The shelving reason of alarm {AlarmId} could not be read", id);
            return null;
        }
    }

    /// <summary>Standing alarms the operator sees: unacknowledged first, then by priority and time.</summary>
    internal IReadOnlyList<AlarmView> Standing() => _all
        .Where(a => AlarmStyle.IsAnnunciated(a.State))
        .OrderByDescending(a => AlarmStyle.IsUnacknowledged(a.State))
        .ThenByDescending(a => a.Priority)
        .ThenBy(a => a.RaisedAt)
        .ToList();

    internal IReadOnlyList<AlarmView> InState(AlarmState state) => AlarmStyle.InListOrder(_all.Where(a => a.State == state)).ToList();

    /// <summary>Counts per priority of every standing alarm (whatever its state), most urgent first.</summary>
    internal IReadOnlyList<(AlarmPriority Priority, int Count, int Unacknowledged)> PriorityCounts() => AlarmStyle.Priorities
        .Select(p => (p, _all.Count(a => a.Priority == p), _all.Count(a => a.Priority == p && AlarmStyle.IsUnacknowledged(a.State))))
        .ToList();

    internal IReadOnlyList<AreaCount> AreaCounts() => _all
        .GroupBy(a => (a.SiteKey, a.Area))
        .Select(g => new AreaCount(SiteName(g.Key.SiteKey), g.Key.Area, AlarmStyle.Priorities.Select(p => g.Count(a => a.Priority == p)).ToList(), g.Count()))
        .OrderBy(c => c.Site, StringComparer.CurrentCulture)
        .ThenBy(c => c.Area, StringComparer.CurrentCulture)
        .ToList();

    private string SiteName(string key) => _sites.TryGetValue(key, out var s) ? s.Name : key;

    private TimeZoneInfo ZoneOf(AlarmView a) => _sites.TryGetValue(a.SiteKey, out var s) ? s.TimeZone : TimeZoneInfo.Utc;

    private TimeZoneInfo MainZone => _sites.Values.FirstOrDefault()?.TimeZone ?? TimeZoneInfo.Utc;

    private async Task PrintAsync() => await JS.InvokeVoidAsync("print");

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
