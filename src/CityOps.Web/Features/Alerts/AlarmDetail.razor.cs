using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts.Evidence;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.SensorDetail;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// One alarm: what, where, since when and its state; the evidence (<see cref="EvidenceChart"/>: the trend around the raise
/// with the rule's limits, forecast cone, anomaly score and triggering readings); the operator's actions and the alarm's
/// history of transitions and comments.
/// </summary>
public sealed partial class AlarmDetail : IDisposable
{
    private readonly CancellationTokenSource _disposed = new();
    private AlarmView? _alarm;
    private ScreenSite? _site;
    private ScreenSensor? _sensor;
    private IReadOnlyList<AlarmEventView>? _history;
    private Rationalisation? _rationalisation;
    private string? _rationalisationError;
    private string? _historyError;
    private string? _loadError;
    private IDisposable? _subscription;
    private DateTime _evidenceTo;
    private AlarmEvidence? _evidence;
    private ScreenWorld? _world;
    private string? _evidenceError;
    private bool _evidenceLoading;
    private bool _loaded;

    [Inject] public required AlarmBoard Board { get; init; }

    [Inject] public required AlarmOperations Operations { get; init; }

    [Inject] public required AlarmCommands Commands { get; init; }

    [Inject] public required IScreenDirectory Directory { get; init; }

    [Inject] public required IDbContextFactory<CityOpsDbContext> DbFactory { get; init; }

    [Inject] public required IAlarmEvidence Evidence { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required ILogger<AlarmDetail> Logger { get; init; }

    [Parameter] public long Id { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (_loaded && _alarm?.Id == Id)
        {
            return;
        }
        _subscription?.Dispose();
        var world = await Directory.LoadAsync(cancellationToken: _disposed.Token);
        _alarm = Board.Get(Id);
        if (_alarm is null)
        {
            try
            {
                _alarm = await Operations.FindAsync(Id, _disposed.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Logger.LogError(e, "Alarm {AlarmId} could not be loaded", Id);
                _loadError = "This alarm is not standing and its record cannot be read right now.";
            }
        }
        _loaded = true;
        if (_alarm is null)
        {
            return;
        }
        _site = world.Sites.FirstOrDefault(s => s.Key == _alarm.SiteKey);
        _sensor = _alarm.SensorKey is { } key ? world.Assets.SelectMany(a => a.Sensors).FirstOrDefault(s => s.Key == key) : null;
        _evidenceTo = EvidenceEnd(_alarm);
        // Subscribe before reading the database: a change while it answers must not be missed.
        _subscription = Board.Subscribe(() => InvokeAsync(OnBoardChangedAsync));
        await LoadRationalisationAsync(_alarm);
        await LoadHistoryAsync();
        _world = world;
        await LoadEvidenceAsync(_alarm, world);
    }

    private async Task LoadEvidenceAsync(AlarmView alarm, ScreenWorld world)
    {
        _evidenceLoading = true;
        try
        {
            _evidence = await Evidence.BuildAsync(alarm, world, _disposed.Token);
            _evidenceError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The evidence of alarm {AlarmId} could not be built", alarm.Id);
            _evidenceError = "The rule's limits and model output cannot be read right now; the plain history is shown.";
        }
        finally
        {
            _evidenceLoading = false;
        }
    }

    private DateTime EvidenceEnd(AlarmView alarm)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var end = (alarm.ClearedAt ?? now) + AlarmEvidenceService.After;
        return end > now ? now : end;
    }

    private async Task OnBoardChangedAsync()
    {
        if (_disposed.IsCancellationRequested || Board.Get(Id) is not { } now || now == _alarm)
        {
            return;
        }
        var cleared = now.ClearedAt != _alarm?.ClearedAt;
        _alarm = now;
        _evidenceTo = EvidenceEnd(now);
        StateHasChanged();
        await LoadHistoryAsync();
        if (cleared && _world is not null)
        {
            // The evidence window ends after the clear: rebuild it so the chart shows the return to normal.
            await LoadEvidenceAsync(now, _world);
        }
        StateHasChanged();
    }

    /// <summary>The rationalisation of the rule version that raised the alarm (the rule may have changed since).</summary>
    private async Task LoadRationalisationAsync(AlarmView alarm)
    {
        try
        {
            await using var db = await DbFactory.CreateDbContextAsync(_disposed.Token);
            var definition = await db.AlertRuleVersions.AsNoTracking()
                .Where(v => v.RuleKey == alarm.RuleKey && v.Version == alarm.RuleVersion)
                .Select(v => v.Definition)
                .FirstOrDefaultAsync(_disposed.Token);
            _rationalisation = definition?.Rationalisation;
            _rationalisationError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "The rationalisation of rule {RuleKey} v{RuleVersion} could not be read", alarm.RuleKey, alarm.RuleVersion);
            _rationalisationError = "The rule's rationalisation cannot be read right now.";
        }
    }

    private async Task LoadHistoryAsync()
    {
        try
        {
            _history = await Operations.HistoryAsync(Id, _disposed.Token);
            _historyError = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Logger.LogError(e, "History of alarm {AlarmId} could not be read", Id);
            _historyError = "The alarm's history cannot be read right now.";
        }
    }

    private TimeZoneInfo Zone => _site?.TimeZone ?? TimeZoneInfo.Utc;

    private async Task AcknowledgeAsync()
    {
        if (_alarm is not null && await Commands.AcknowledgeAsync([_alarm.Id], _disposed.Token) > 0)
        {
            await RefreshAfterActionAsync();
        }
    }

    private async Task ShelveAsync()
    {
        if (_alarm is not null && await Commands.ShelveAsync(_alarm, _disposed.Token))
        {
            await RefreshAfterActionAsync();
        }
    }

    private async Task CommentAsync()
    {
        if (_alarm is not null && await Commands.CommentAsync(_alarm, _disposed.Token))
        {
            await RefreshAfterActionAsync();
        }
    }

    private async Task RefreshAfterActionAsync()
    {
        _alarm = Board.Get(Id) ?? _alarm;
        await LoadHistoryAsync();
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
