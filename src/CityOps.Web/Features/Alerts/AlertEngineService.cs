using System.Threading.Channels;
using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// The live alert engine: committed readings and a clock tick go through one queue into a single loop that owns the
/// <see cref="RuleEngine"/>, turns its signals into alarms (row, event and audit entry in one SaveChanges), keeps the
/// <see cref="AlarmBoard"/> current and tells the <see cref="IAlarmRaisedHandler"/>s. Everything that touches the
/// engine (rule reloads, re-learning, model-state saves) runs on that loop, so the engine needs no locks.
/// </summary>
public sealed class AlertEngineService : BackgroundService, IReadingsObserver
{
    /// <summary>The actor of the engine's own transitions in alarm events and the audit log.</summary>
    public const string SystemActor = "system";

    private readonly Channel<object> _queue;
    private readonly IDbContextFactory<CityOpsDbContext> _dbFactory;
    private readonly SensorCatalog _catalog;
    private readonly AlarmBoard _board;
    private readonly AlarmWriteGate _writeGate;
    private readonly AuditLog _audit;
    private readonly IAlarmRaisedHandler[] _handlers;
    private readonly IDisposable? _optionsChange;
    private AlertOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertEngineService> _logger;
    private readonly List<AlarmSignal> _signals = [];
    private readonly Dictionary<int, double> _lastValue = [];
    private readonly LineStates _lines = new();
    private readonly HashSet<string> _changedLines = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EngineWorld _world = EngineWorld.Empty;
    private Dictionary<string, AlertRule> _rules = new(StringComparer.Ordinal);
    private RuleEngine? _engine;
    private ITimer? _clock;
    private int _tickQueued;
    private long _droppedBatches;
    private long _lastStateSave;

    public AlertEngineService(
        IDbContextFactory<CityOpsDbContext> dbFactory,
        SensorCatalog catalog,
        AlarmBoard board,
        AlarmWriteGate writeGate,
        AuditLog audit,
        IEnumerable<IAlarmRaisedHandler> handlers,
        IOptionsMonitor<AlertOptions> options,
        TimeProvider time,
        ILogger<AlertEngineService> logger)
    {
        _dbFactory = dbFactory;
        _catalog = catalog;
        _board = board;
        _writeGate = writeGate;
        _audit = audit;
        _handlers = handlers.ToArray();
        _options = options.CurrentValue;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        // Thresholds changed on the settings page apply on the loop, like every other change to the engine.
        _optionsChange = options.OnChange(changed => _queue.Writer.TryWrite(new LoopCommand<int>(_ => Task.FromResult(ApplyOptions(changed)))));
    }

    /// <summary>Completes once standing alarms, rules, sensors and model states are loaded and readings are evaluated.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Batches of readings not evaluated because the engine fell too far behind.</summary>
    public long DroppedBatches => Interlocked.Read(ref _droppedBatches);

    /// <summary>On the ingest writer's observer loop: only hands the batch to the engine's loop.</summary>
    public void OnCommitted(IReadOnlyList<CommittedReading> readings)
    {
        if (readings.Count > 0 && !_queue.Writer.TryWrite(readings))
        {
            // Losing evaluations silently would hide alarms; the count makes it visible, the log says why.
            if (Interlocked.Increment(ref _droppedBatches) % 1000 == 1)
            {
                _logger.LogError("The alert engine is {Capacity} batches behind; readings are stored but not evaluated", _options.QueueCapacity);
            }
        }
    }

    /// <summary>Reloads the rule set from the database (after the rule editor saved, enabled or disabled rules).</summary>
    public Task ReloadRulesAsync(CancellationToken cancellationToken = default) =>
        RunOnLoopAsync(async ct =>
        {
            await LoadRulesAsync(ct);
            return 0;
        }, cancellationToken);

    /// <summary>Re-reads the registry (sensors, assets) and rebinds the rules, keeping what the models learned.</summary>
    public Task ReloadSensorsAsync(CancellationToken cancellationToken = default) =>
        RunOnLoopAsync(async ct =>
        {
            await LoadWorldAsync(ct);
            return 0;
        }, cancellationToken);

    /// <summary>Writes every binding's learned state to the database now.</summary>
    public Task SaveModelStatesAsync(CancellationToken cancellationToken = default) =>
        RunOnLoopAsync(async ct => await SaveStatesAsync(ct), cancellationToken);

    /// <summary>
    /// Forgets what the rule's bindings learned and replays the last <paramref name="days"/> of 1-minute means from the
    /// rollups through fresh copies of them, so they resume as if they had run over that history. Alarms are not
    /// raised for the replayed past. Returns how many points were replayed.
    /// </summary>
    public Task<int> RelearnAsync(string ruleKey, int? days = null, CancellationToken cancellationToken = default) =>
        RunOnLoopAsync(ct => RelearnOnLoopAsync(ruleKey, days ?? _options.RelearnDays, ct), cancellationToken);

    /// <summary>The rule keys the engine runs now (enabled or not), for callers that check a key before queueing work.</summary>
    public bool KnowsRule(string ruleKey) => Volatile.Read(ref _rules).ContainsKey(ruleKey);

    /// <summary>The current definition of a rule the engine runs, or null.</summary>
    public AlertRuleDefinition? FindRule(string ruleKey) => Volatile.Read(ref _rules).TryGetValue(ruleKey, out var rule) ? rule.Definition : null;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _clock = _time.CreateTimer(static s => ((AlertEngineService)s!).QueueTick(), this, _options.ClockInterval, _options.ClockInterval);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _clock?.Dispose();
        _optionsChange?.Dispose();
        await base.StopAsync(cancellationToken);
        if (_engine is not null)
        {
            try
            {
                // The loop has ended: nothing else touches the engine any more.
                var saved = await SaveStatesAsync(cancellationToken);
                _logger.LogInformation("Saved the learned state of {Count} rule bindings at shutdown", saved);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "Could not save the alert models' learned state at shutdown");
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await InitializeAsync(stoppingToken);
        await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                switch (work)
                {
                    case IReadOnlyList<CommittedReading> readings:
                        await OnReadingsAsync(readings, stoppingToken);
                        break;
                    case Tick:
                        Interlocked.Exchange(ref _tickQueued, 0);
                        await OnTickAsync(stoppingToken);
                        break;
                    case LoopCommand command:
                        await command.RunAsync(stoppingToken);
                        break;
                }
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: whatever failed was cut short on purpose; the model states are saved by StopAsync.
                return;
            }
            catch (Exception e)
            {
                // One bad batch (the database away for a moment) must not end alerting; the next batch is tried anew.
                _logger.LogError(e, "The alert engine failed to process {Work}", work.GetType().Name);
            }
        }
    }

    private async Task InitializeAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using (var db = await _dbFactory.CreateDbContextAsync(stoppingToken))
                {
                    var standing = await db.Alarms.AsNoTracking().Where(a => a.State != AlarmState.Normal).ToListAsync(stoppingToken);
                    _board.Load(standing.Select(a => a.ToView()));
                }
                await LoadWorldAsync(stoppingToken);
                await LoadRulesAsync(stoppingToken);
                await LoadStatesAsync(stoppingToken);
                _lastStateSave = _time.GetTimestamp();
                _ready.TrySetResult();
                _logger.LogInformation("Alert engine running {Rules} rules over {Sensors} sensors; {Standing} standing alarms",
                    _rules.Count, _world.Sensors.Count, _board.Standing().Count);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, attempt * 2));
                _logger.LogError(e, "The alert engine could not start (attempt {Attempt}); retrying in {Delay}", attempt, delay);
                await Task.Delay(delay, _time, stoppingToken);
            }
        }
    }

    private void QueueTick()
    {
        // Ticks never pile up behind a slow batch: one is queued at a time.
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0 && !_queue.Writer.TryWrite(Tick.Instance))
        {
            Interlocked.Exchange(ref _tickQueued, 0);
        }
    }

    private async Task<T> RunOnLoopAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var command = new LoopCommand<T>(action);
        await _queue.Writer.WriteAsync(command, cancellationToken);
        return await command.Result.WaitAsync(cancellationToken);
    }

    private async Task OnReadingsAsync(IReadOnlyList<CommittedReading> readings, CancellationToken ct)
    {
        if (readings.Any(r => !_world.ById.ContainsKey(r.SensorId) && _catalog.TryGet(r.SensorId, out _)))
        {
            // Registered since the engine last looked: bind the rules to it before evaluating.
            await LoadWorldAsync(ct);
        }
        var engine = _engine!;
        _signals.Clear();
        foreach (var reading in readings)
        {
            if (!_world.ById.ContainsKey(reading.SensorId))
            {
                continue;
            }
            _lastValue[reading.SensorId] = reading.Value;
            if (_world.LineOfStateSensor.TryGetValue(reading.SensorId, out var line) && _lines.Update(line, reading.SensorId, reading.Value))
            {
                _changedLines.Add(line);
            }
            engine.OnReading(reading.SensorId, reading.Timestamp, reading.Value, _signals);
        }
        await HandleSignalsAsync(_signals, ct);
        await ApplyLineChangesAsync(ct);
    }

    private async Task OnTickAsync(CancellationToken ct)
    {
        var now = Now();
        _signals.Clear();
        _engine!.OnClock(now, _signals);
        await HandleSignalsAsync(_signals, ct);
        _board.PublishFloods(_engine.Floods.Areas);
        await ExpireShelvesAsync(now, ct);
        if (_catalog.All.Count != _world.Sensors.Count)
        {
            await LoadWorldAsync(ct);
        }
        if (_time.GetElapsedTime(_lastStateSave) >= _options.ModelStateSaveInterval)
        {
            await SaveStatesAsync(ct);
        }
    }

    private async Task HandleSignalsAsync(List<AlarmSignal> signals, CancellationToken ct)
    {
        if (signals.Count == 0)
        {
            return;
        }
        var raised = new List<AlarmView>();
        List<AlarmView> changed;
        using (await _writeGate.EnterAsync(ct))
        {
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            var ids = signals.Select(s => _board.Get(s.RuleKey, s.SourceKey)?.Id).OfType<long>().Distinct().ToList();
            var tracked = ids.Count == 0
                ? new Dictionary<(string, string), Alarm>()
                : (await db.Alarms.Where(a => ids.Contains(a.Id)).ToListAsync(ct)).ToDictionary(a => (a.RuleKey, a.SourceKey));
            var touched = new Dictionary<long, Alarm>();
            foreach (var signal in signals)
            {
                if (!_rules.TryGetValue(signal.RuleKey, out var rule))
                {
                    continue;
                }
                tracked.TryGetValue((signal.RuleKey, signal.SourceKey), out var alarm);
                if (signal.Active)
                {
                    if (alarm is null || alarm.State == AlarmState.Normal)
                    {
                        alarm = Raise(db, rule, signal);
                        tracked[(signal.RuleKey, signal.SourceKey)] = alarm;
                        if (alarm.State == AlarmState.ActiveUnacknowledged)
                        {
                            raised.Add(alarm.ToView());
                        }
                    }
                    else
                    {
                        Describe(alarm, signal);
                        var t = AlarmLifecycle.ConditionRaised(alarm.Status);
                        if (t.Allowed)
                        {
                            // A standing alarm raised again: the version raising it now is the one whose rationalisation applies.
                            alarm.RuleVersion = rule.Version;
                            AlarmOperations.Record(db, _audit, alarm, t.Status, SystemActor, AlarmEventKinds.Raised, signal.Detection.Detail, signal.At);
                            alarm.ClearedAt = null;
                        }
                    }
                }
                else if (alarm is not null && alarm.State != AlarmState.Normal)
                {
                    var t = AlarmLifecycle.ConditionCleared(alarm.Status);
                    if (t.Allowed)
                    {
                        alarm.ClearedAt = signal.At;
                        alarm.Chattering = signal.Chattering;
                        AlarmOperations.Record(db, _audit, alarm, t.Status, SystemActor, AlarmEventKinds.Cleared, null, signal.At);
                    }
                }
                if (alarm is not null)
                {
                    touched[alarm.Id] = alarm;
                }
            }
            await db.SaveChangesAsync(ct);
            changed = touched.Values.Select(a => a.ToView()).ToList();
            _board.Apply(changed);
        }
        if (raised.Count > 0)
        {
            _board.PublishFloods(_engine!.Floods.Areas);
        }
        foreach (var alarm in raised)
        {
            foreach (var handler in _handlers)
            {
                try
                {
                    handler.OnRaised(alarm);
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Alarm handler {Handler} failed for alarm {Alarm}", handler.GetType().Name, alarm.Id);
                }
            }
        }
    }

    private Alarm Raise(CityOpsDbContext db, AlertRule rule, AlarmSignal signal)
    {
        var definition = rule.Definition;
        _world.ByKey.TryGetValue(signal.SourceKey, out var sensor);
        var assetKey = sensor?.AssetKey ?? signal.SourceKey;
        var alarm = new Alarm
        {
            RuleKey = rule.Key,
            RuleVersion = rule.Version,
            RuleName = definition.Name,
            SourceKey = signal.SourceKey,
            SensorId = sensor?.Id,
            SensorKey = sensor?.Key,
            AssetKey = assetKey,
            SiteKey = sensor?.SiteKey ?? SiteOfAsset(assetKey),
            Area = signal.Area,
            Priority = definition.Priority,
            Message = definition.Message,
            Unit = sensor?.Context.Unit,
            RaisedAt = signal.At,
            State = AlarmState.Normal,
        };
        Describe(alarm, signal);
        db.Alarms.Add(alarm);
        AlarmOperations.Record(db, _audit, alarm, AlarmLifecycle.ConditionRaised(AlarmStatus.Normal).Status, SystemActor,
            AlarmEventKinds.Raised, signal.Detection.Detail, signal.At);
        if (_lines.StoppedLineOf(assetKey, _world) is { } line && !IsStateSensor(alarm))
        {
            AlarmOperations.Record(db, _audit, alarm, AlarmLifecycle.Suppress(alarm.Status).Status, SystemActor,
                AlarmEventKinds.Suppressed, $"Line {line} is stopped", signal.At);
        }
        return alarm;
    }

    private void Describe(Alarm alarm, AlarmSignal signal)
    {
        var d = signal.Detection;
        alarm.Detail = d.Detail;
        alarm.Score = double.IsFinite(d.Score) ? d.Score : 0;
        alarm.PredictedAt = d.PredictedAt;
        alarm.Chattering = signal.Chattering;
        alarm.Value = alarm.SensorId is { } id && _lastValue.TryGetValue(id, out var v) ? v : alarm.Value;
    }

    private string SiteOfAsset(string assetKey) =>
        _world.Sensors.FirstOrDefault(s => s.AssetKey == assetKey)?.SiteKey ?? "";

    private bool IsStateSensor(Alarm alarm) => alarm.SensorId is { } id && _world.LineOfStateSensor.ContainsKey(id);

    /// <summary>Hides the alarms of machines on lines that stopped, and brings back those of lines that restarted.</summary>
    private async Task ApplyLineChangesAsync(CancellationToken ct)
    {
        if (_changedLines.Count == 0)
        {
            return;
        }
        var lines = _changedLines.ToArray();
        _changedLines.Clear();
        var affected = _board.Standing()
            .Where(a => lines.Any(l => _world.IsWithin(a.AssetKey, l)) && !(a.SensorKey is { } key && _world.ByKey.TryGetValue(key, out var s) && _world.LineOfStateSensor.ContainsKey(s.Id)))
            .Select(a => a.Id)
            .ToList();
        if (affected.Count == 0)
        {
            return;
        }
        var now = Now();
        using (await _writeGate.EnterAsync(ct))
        {
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            var alarms = await db.Alarms.Where(a => affected.Contains(a.Id)).ToListAsync(ct);
            var changed = new List<AlarmView>();
            foreach (var alarm in alarms)
            {
                var line = lines.First(l => _world.IsWithin(alarm.AssetKey, l));
                var stopped = _lines.Stopped.Contains(line);
                var t = stopped ? AlarmLifecycle.Suppress(alarm.Status) : AlarmLifecycle.Unsuppress(alarm.Status);
                if (!t.Allowed)
                {
                    continue;
                }
                AlarmOperations.Record(db, _audit, alarm, t.Status, SystemActor,
                    stopped ? AlarmEventKinds.Suppressed : AlarmEventKinds.Unsuppressed,
                    stopped ? $"Line {line} is stopped" : $"Line {line} runs again", now);
                changed.Add(alarm.ToView());
            }
            await db.SaveChangesAsync(ct);
            _board.Apply(changed);
        }
    }

    private async Task ExpireShelvesAsync(DateTime now, CancellationToken ct)
    {
        var due = _board.Standing().Where(a => a.State == AlarmState.Shelved && a.ShelvedUntil <= now).Select(a => a.Id).ToList();
        if (due.Count == 0)
        {
            return;
        }
        using (await _writeGate.EnterAsync(ct))
        {
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            var alarms = await db.Alarms.Where(a => due.Contains(a.Id)).ToListAsync(ct);
            var changed = new List<AlarmView>();
            foreach (var alarm in alarms)
            {
                var t = AlarmLifecycle.ShelveExpired(alarm.Status, now);
                if (t.Allowed)
                {
                    AlarmOperations.Record(db, _audit, alarm, t.Status, SystemActor, AlarmEventKinds.ShelveExpired, "The shelving time ran out", now);
                    changed.Add(alarm.ToView());
                }
            }
            await db.SaveChangesAsync(ct);
            _board.Apply(changed);
        }
    }

    private async Task LoadWorldAsync(CancellationToken ct)
    {
        await using (var db = await _dbFactory.CreateDbContextAsync(ct))
        {
            _world = await EngineWorld.LoadAsync(db, _logger, ct);
        }
        _board.SetAssetParents(_world.AssetParents);
        var previous = _engine;
        _engine = new RuleEngine(_rules.Values.Select(r => r.Effective), _world.Sensors, EngineOptions());
        if (previous is not null)
        {
            _engine.LoadStates(previous.SaveStates());
        }
    }

    private async Task LoadRulesAsync(CancellationToken ct)
    {
        List<AlertRule> rows;
        await using (var db = await _dbFactory.CreateDbContextAsync(ct))
        {
            rows = await db.AlertRules.AsNoTracking().Where(r => r.DeletedAt == null).ToListAsync(ct);
        }
        var rules = rows.ToDictionary(r => r.Key, StringComparer.Ordinal);
        Volatile.Write(ref _rules, rules);
        if (_engine is null)
        {
            _engine = new RuleEngine(rules.Values.Select(r => r.Effective), _world.Sensors, EngineOptions());
            return;
        }
        var gone = _engine.SetRules(rules.Values.Select(r => r.Effective));
        await TakeOutOfServiceAsync(gone, ct);
        await ReturnToServiceAsync(rules.Values.Where(r => r.Enabled).Select(r => r.Key).ToList(), ct);
    }

    /// <summary>Alarms of bindings whose rule was disabled or deleted leave service silently: no clears, no handlers.</summary>
    private async Task TakeOutOfServiceAsync(IReadOnlyList<(string RuleKey, string SourceKey)> gone, CancellationToken ct)
    {
        var ids = gone.Select(g => _board.Get(g.RuleKey, g.SourceKey)?.Id).OfType<long>().ToList();
        if (ids.Count == 0)
        {
            return;
        }
        var now = Now();
        using (await _writeGate.EnterAsync(ct))
        {
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            var alarms = await db.Alarms.Where(a => ids.Contains(a.Id)).ToListAsync(ct);
            var changed = new List<AlarmView>();
            foreach (var alarm in alarms)
            {
                var t = AlarmLifecycle.RemoveFromService(alarm.Status, "Rule disabled");
                if (!t.Allowed)
                {
                    continue;
                }
                AlarmOperations.Record(db, _audit, alarm, t.Status, SystemActor, AlarmEventKinds.OutOfService, "Rule disabled", now);
                alarm.OutOfServiceBy = SystemActor;
                changed.Add(alarm.ToView());
            }
            await db.SaveChangesAsync(ct);
            _board.Apply(changed);
        }
    }

    /// <summary>
    /// Alarms the engine took out of service because their rule was disabled come back when it is enabled again, as
    /// history: the rule's bindings start afresh and raise a new alarm if the condition still holds.
    /// </summary>
    private async Task ReturnToServiceAsync(List<string> enabledRules, CancellationToken ct)
    {
        var candidates = _board.Standing().Where(a => a.State == AlarmState.OutOfService && enabledRules.Contains(a.RuleKey)).Select(a => a.Id).ToList();
        if (candidates.Count == 0)
        {
            return;
        }
        var now = Now();
        using (await _writeGate.EnterAsync(ct))
        {
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            var alarms = await db.Alarms.Where(a => candidates.Contains(a.Id) && a.OutOfServiceBy == SystemActor).ToListAsync(ct);
            var changed = new List<AlarmView>();
            foreach (var alarm in alarms)
            {
                var t = AlarmLifecycle.ReturnToService(alarm.Status with { ConditionActive = false });
                AlarmOperations.Record(db, _audit, alarm, t.Status, SystemActor, AlarmEventKinds.ReturnedToService, "Rule enabled", now);
                changed.Add(alarm.ToView());
            }
            await db.SaveChangesAsync(ct);
            _board.Apply(changed);
        }
    }

    private async Task LoadStatesAsync(CancellationToken ct)
    {
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var rows = await db.ModelStates.AsNoTracking().ToListAsync(ct);
        if (rows.Count > 0)
        {
            _engine!.LoadStates(rows.ToDictionary(r => (r.RuleKey, r.SourceKey), r => r.State));
            _logger.LogInformation("Restored the learned state of {Count} rule bindings", rows.Count);
        }
    }

    private async Task<int> SaveStatesAsync(CancellationToken ct)
    {
        _lastStateSave = _time.GetTimestamp();
        var states = _engine!.SaveStates();
        if (states.Count == 0)
        {
            return 0;
        }
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        // One statement for every binding: a plant has thousands and this runs every few minutes.
        await using var command = new NpgsqlCommand("""
            INSERT INTO model_states (rule_key, source_key, state, saved_at)
            SELECT r, s, st, @at FROM unnest(@rules, @sources, @states) AS t(r, s, st)
            ON CONFLICT (rule_key, source_key) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at
            """, connection);
        command.Parameters.AddWithValue("at", Now());
        command.Parameters.AddWithValue("rules", states.Keys.Select(k => k.RuleKey).ToArray());
        command.Parameters.AddWithValue("sources", states.Keys.Select(k => k.SourceKey).ToArray());
        command.Parameters.AddWithValue("states", states.Values.ToArray());
        await command.ExecuteNonQueryAsync(ct);
        return states.Count;
    }

    private async Task<int> RelearnOnLoopAsync(string ruleKey, int days, CancellationToken ct)
    {
        if (!_rules.TryGetValue(ruleKey, out var rule))
        {
            throw new KeyNotFoundException($"There is no alert rule '{ruleKey}'.");
        }
        var all = _rules.Values.Select(r => r.Effective).ToList();
        // Dropping the rule and adding it back gives it fresh bindings; the others keep theirs.
        _engine!.SetRules(all.Where(r => r.Key != ruleKey));
        _engine.SetRules(all);

        var replay = new RuleEngine([rule.Definition with { Enabled = true }], _world.Sensors, EngineOptions());
        var sensorIds = _world.Sensors.Where(s => InScope(rule.Definition.Scope, s)).Select(s => s.Id).ToArray();
        var since = Now() - TimeSpan.FromDays(days);
        var replayed = 0;
        var discard = new List<AlarmSignal>();
        await using (var db = await _dbFactory.CreateDbContextAsync(ct))
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("""
                SELECT sensor_id, bucket, sum / count FROM rollup_1m
                WHERE sensor_id = ANY(@ids) AND bucket >= @since AND count > 0
                ORDER BY bucket, sensor_id
                """, connection);
            command.Parameters.AddWithValue("ids", sensorIds);
            command.Parameters.AddWithValue("since", since);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                discard.Clear();
                replay.OnReading(reader.GetInt32(0), reader.GetFieldValue<DateTime>(1), reader.GetDouble(2), discard);
                replayed++;
            }
        }
        _engine.LoadStates(replay.SaveStates());
        _logger.LogInformation("Re-learned rule {Rule} from {Points} one-minute points of the last {Days} days", ruleKey, replayed, days);
        return replayed;
    }

    private static bool InScope(RuleScope scope, EngineSensor sensor) =>
        (scope.SensorKey is null || scope.SensorKey == sensor.Key) &&
        (scope.SiteKey is null || scope.SiteKey == sensor.SiteKey) &&
        (scope.AssetType is null || scope.AssetType == sensor.AssetType) &&
        (scope.Metric is null || scope.Metric == sensor.Context.Metric);

    /// <summary>
    /// Takes new alarm-system thresholds: a fresh engine with them, resuming what the models learned and which alarms
    /// are active (the flood counts start again).
    /// </summary>
    private int ApplyOptions(AlertOptions changed)
    {
        var before = EngineOptions();
        _options = changed;
        if (_engine is null || EngineOptions() == before)
        {
            return 0;
        }
        var previous = _engine;
        _engine = new RuleEngine(_rules.Values.Select(r => r.Effective), _world.Sensors, EngineOptions());
        _engine.LoadStates(previous.SaveStates());
        _logger.LogInformation("Alarm thresholds changed: flood above {Flood} alarms in {FloodWindow}, chattering at {Chatter} raises in {ChatterWindow}",
            _options.FloodAlarms, _options.FloodWindow, _options.ChatterCycles, _options.ChatterWindow);
        return 1;
    }

    /// <summary>The flood threshold the running engine applies (null before it started).</summary>
    public (int Alarms, TimeSpan Window)? FloodThreshold => Volatile.Read(ref _engine)?.Floods is { } f ? (f.FloodAlarms, f.Window) : null;

    private RuleEngineOptions EngineOptions() => _options.EngineOptions();

    private DateTime Now() => _time.GetUtcNow().UtcDateTime;

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private abstract class LoopCommand
    {
        public abstract Task RunAsync(CancellationToken ct);
    }

    private sealed class LoopCommand<T>(Func<CancellationToken, Task<T>> action) : LoopCommand
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Result => _result.Task;

        public override async Task RunAsync(CancellationToken ct)
        {
            try
            {
                _result.TrySetResult(await action(ct));
            }
            catch (Exception e)
            {
                _result.TrySetException(e);
            }
        }
    }
}
