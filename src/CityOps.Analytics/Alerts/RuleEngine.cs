using System.Text.Json;

namespace CityOps.Analytics.Alerts;

/// <summary>A sensor the engine can bind rules to.</summary>
/// <param name="Area">The operator area the sensor's alarms belong to (flood detection counts per area).</param>
/// <param name="AssetKey">The asset the sensor belongs to; multivariate rules group sensors by it.</param>
public sealed record EngineSensor(int Id, string SiteKey, string AssetKey, AssetType AssetType, string Area, SensorContext Context)
{
    public string Key => Context.Key;
}

/// <summary>
/// A change of an alarm's process condition, as the engine sees it (raised or returned to normal). The
/// operator-facing ISA-18.2 lifecycle (acknowledge, shelve, suppress) is applied on top of these.
/// </summary>
/// <param name="SourceKey">The sensor key for single-sensor rules, the asset key for multivariate rules.</param>
/// <param name="Chattering">The alarm cycles too often and is being damped.</param>
public sealed record AlarmSignal(string RuleKey, string SourceKey, string Area, bool Active, DateTime At, Detection Detection, bool Chattering);

/// <summary>
/// Runs alert rules over a stream of readings, one at a time and without look-ahead, and reports when each
/// (rule, source) alarm condition starts or ends. Pure and deterministic: the live engine and the backtest
/// run the same code on the same data and get the same alarms.
/// </summary>
/// <remarks>
/// <para>Binding: a single-sensor rule binds to every sensor its <see cref="RuleScope"/> matches (every field that
/// is set must match the sensor, its site, its asset's type and its metric). A multivariate rule binds to every
/// matching asset that has a sensor of each listed metric; the engine forms the vector from each sensor's latest
/// value at most every <see cref="MultivariateParameters.Step"/>, and only when every sensor has reported within
/// three of its expected intervals.</para>
/// <para>Chattering (ISA-18.2, EEMUA 191): a binding that raises <see cref="RuleEngineOptions.ChatterCycles"/> times
/// within <see cref="RuleEngineOptions.ChatterWindow"/> is flagged and damped: its alarm is held until the condition
/// has been gone for <see cref="RuleEngineOptions.ChatterSettle"/>, so it stops cycling, and the flag is lifted when
/// it finally clears.</para>
/// <para>Rules whose model cannot be built here (<see cref="NotSupportedException"/> from
/// <see cref="DetectorFactory"/>) are skipped and listed in <see cref="SkippedRules"/>, so a rule set can name
/// models that a deployment does not have yet.</para>
/// </remarks>
public sealed class RuleEngine
{
    private static readonly JsonSerializerOptions ModelJson = new();

    private readonly RuleEngineOptions _options;
    private readonly Func<ModelParameters, SensorContext, IDetector> _create;
    private readonly Func<MultivariateParameters, IReadOnlyList<SensorContext>, IMultivariateDetector> _createMultivariate;
    private readonly Dictionary<int, SensorSlot> _sensors = [];
    private readonly List<SensorSlot> _sensorOrder = [];
    private Dictionary<(string RuleKey, string SourceKey), Binding> _bindings = [];
    private List<Binding> _bindingOrder = [];
    private List<(string RuleKey, string Reason)> _skipped = [];

    public RuleEngine(IEnumerable<AlertRuleDefinition> rules, IEnumerable<EngineSensor> sensors, RuleEngineOptions? options = null)
        : this(rules, sensors, options, DetectorFactory.Create, DetectorFactory.CreateMultivariate)
    {
    }

    /// <summary>With other detector factories (tests use it to watch what the engine feeds a model).</summary>
    internal RuleEngine(
        IEnumerable<AlertRuleDefinition> rules, IEnumerable<EngineSensor> sensors, RuleEngineOptions? options,
        Func<ModelParameters, SensorContext, IDetector> create,
        Func<MultivariateParameters, IReadOnlyList<SensorContext>, IMultivariateDetector> createMultivariate)
    {
        _create = create;
        _createMultivariate = createMultivariate;
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(sensors);
        _options = options ?? new RuleEngineOptions();
        if (_options.ChatterCycles < 2 || _options.ChatterWindow <= TimeSpan.Zero || _options.ChatterSettle < TimeSpan.Zero)
        {
            throw new ArgumentException("Chatter detection needs at least 2 cycles in a positive window and a non-negative settle time.", nameof(options));
        }
        Floods = new FloodMonitor(_options.FloodAlarms, _options.FloodWindow);
        foreach (var sensor in sensors)
        {
            var slot = new SensorSlot(sensor);
            if (!_sensors.TryAdd(sensor.Id, slot))
            {
                throw new ArgumentException($"Sensor id {sensor.Id} appears twice.", nameof(sensors));
            }
            _sensorOrder.Add(slot);
        }
        SetRules(rules);
    }

    /// <summary>New alarms per operator area (raises only; clears and damped re-raises do not count).</summary>
    public FloodMonitor Floods { get; }

    /// <summary>Enabled rules that are not running because their model is not available, with the reason.</summary>
    public IReadOnlyList<(string RuleKey, string Reason)> SkippedRules => _skipped;

    /// <summary>How many (rule, source) bindings run.</summary>
    public int BindingCount => _bindingOrder.Count;

    /// <summary>The sensors at least one binding reads, in registration order: the history a backtest of these rules needs.</summary>
    public IReadOnlyList<EngineSensor> BoundSensors() =>
        [.. _sensorOrder.Where(s => s.Bindings.Count > 0 || s.Groups.Count > 0).Select(s => s.Sensor)];

    /// <summary>Feeds one reading; appends any alarm signals it causes to <paramref name="output"/>.</summary>
    public void OnReading(int sensorId, DateTime timestamp, double value, List<AlarmSignal> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!_sensors.TryGetValue(sensorId, out var slot))
        {
            return;
        }
        if (timestamp >= slot.LastAt)
        {
            slot.LastAt = timestamp;
            slot.LastValue = value;
        }
        var bindings = slot.Bindings;
        for (var i = 0; i < bindings.Count; i++)
        {
            var binding = bindings[i];
            Apply(binding, binding.Detector!.Update(timestamp, value), timestamp, output);
        }
        var groups = slot.Groups;
        for (var i = 0; i < groups.Count; i++)
        {
            StepGroup(groups[i], timestamp, output);
        }
    }

    /// <summary>Time passed (no reading needed): stale data, off-delays; appends signals to <paramref name="output"/>.</summary>
    public void OnClock(DateTime now, List<AlarmSignal> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var binding in _bindingOrder)
        {
            if (binding.Detector is { } detector)
            {
                Apply(binding, detector.Evaluate(now), now, output);
            }
            else if (binding.Active && binding.ClearPendingSince is not null && binding.Current is { } current)
            {
                // A damped multivariate alarm settles by time too.
                Apply(binding, current, now, output);
            }
        }
        Floods.Advance(now);
    }

    /// <summary>The newest conclusion of one binding (for the alarm's evidence), if it exists.</summary>
    public Detection? Current(string ruleKey, string sourceKey) =>
        _bindings.TryGetValue((ruleKey, sourceKey), out var binding) ? binding.Current : null;

    /// <summary>Every (rule, source) binding whose condition is active now.</summary>
    public IReadOnlyList<AlarmSignal> ActiveConditions() =>
    [
        .. _bindingOrder.Where(b => b.Active).Select(b => new AlarmSignal(
            b.Rule.Key, b.SourceKey, b.Area, true, b.RaisedAt ?? default, b.Current ?? Detection.Normal, b.Chattering)),
    ];

    /// <summary>
    /// Replaces the rule set. Bindings of unchanged rules keep their learned state; removed or disabled rules'
    /// bindings disappear without signals (their alarms are taken out of service, not "returned to normal", so
    /// switching rules in bulk never causes a storm of clears). Returns the keys of bindings that disappeared.
    /// </summary>
    /// <remarks>A rule counts as unchanged when its model parameters serialise the same; its name, message, priority
    /// and scope may change. A binding whose model changed is replaced by a fresh one, and its key is returned as
    /// having disappeared (the old alarm is taken out of service; the new model raises again if the condition holds).</remarks>
    public IReadOnlyList<(string RuleKey, string SourceKey)> SetRules(IEnumerable<AlertRuleDefinition> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var list = rules.ToList();
        var duplicate = list.GroupBy(r => r.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Rule key {duplicate.Key} appears twice.", nameof(rules));
        }

        var bindings = new Dictionary<(string, string), Binding>();
        var order = new List<Binding>();
        var skipped = new List<(string, string)>();
        foreach (var rule in list.Where(r => r.Enabled))
        {
            try
            {
                var fingerprint = JsonSerializer.Serialize(rule.Model, ModelJson);
                if (rule.Model is MultivariateParameters multivariate)
                {
                    foreach (var members in MatchAssets(rule.Scope, multivariate))
                    {
                        var key = (rule.Key, members[0].Sensor.AssetKey);
                        var binding = Reuse(key, fingerprint, rule)
                            ?? new Binding(rule, key.Item2, members[0].Sensor.Area, fingerprint)
                            {
                                Group = new Group(multivariate, members, _createMultivariate(multivariate, [.. members.Select(m => m.Sensor.Context)])),
                            };
                        bindings.Add(key, binding);
                        order.Add(binding);
                    }
                }
                else
                {
                    foreach (var slot in _sensorOrder.Where(s => Matches(rule.Scope, s.Sensor)))
                    {
                        var key = (rule.Key, slot.Sensor.Key);
                        var binding = Reuse(key, fingerprint, rule)
                            ?? new Binding(rule, key.Item2, slot.Sensor.Area, fingerprint) { Detector = _create(rule.Model, slot.Sensor.Context), Slot = slot };
                        bindings.Add(key, binding);
                        order.Add(binding);
                    }
                }
            }
            catch (NotSupportedException e)
            {
                foreach (var key in bindings.Keys.Where(k => k.Item1 == rule.Key).ToList())
                {
                    order.Remove(bindings[key]);
                    bindings.Remove(key);
                }
                skipped.Add((rule.Key, e.Message));
            }
        }

        var gone = _bindingOrder.Where(b => !bindings.TryGetValue((b.Rule.Key, b.SourceKey), out var kept) || kept != b)
            .Select(b => (b.Rule.Key, b.SourceKey)).ToList();
        _bindings = bindings;
        _bindingOrder = order;
        _skipped = skipped;
        foreach (var slot in _sensorOrder)
        {
            slot.Bindings.Clear();
            slot.Groups.Clear();
        }
        foreach (var binding in order)
        {
            if (binding.Slot is { } slot)
            {
                slot.Bindings.Add(binding);
            }
            else
            {
                foreach (var member in binding.Group!.Members.Distinct())
                {
                    member.Groups.Add(binding);
                }
            }
        }
        return gone;
    }

    /// <summary>Learned state of every binding, keyed by (rule key, source key), to persist across restarts.</summary>
    public IReadOnlyDictionary<(string RuleKey, string SourceKey), string> SaveStates()
    {
        var states = new Dictionary<(string, string), string>(_bindingOrder.Count);
        foreach (var b in _bindingOrder)
        {
            var detector = b.Detector?.SaveState() ?? b.Group!.Detector.SaveState();
            states[(b.Rule.Key, b.SourceKey)] = JsonSerializer.Serialize(
                new BindingState(detector, b.Active, b.RaisedAt, b.Chattering, [.. b.Raises], b.ClearPendingSince, b.Current, b.Group?.LastStep),
                DetectorText.StateJson);
        }
        return states;
    }

    /// <summary>The detector's own state inside one binding's <see cref="SaveStates"/> entry, for <see cref="IDetector.LoadState"/>.</summary>
    public static string DetectorState(string bindingState) => DetectorText.Load<BindingState>(bindingState).Detector;

    /// <summary>Restores what <see cref="SaveStates"/> returned; unknown keys are ignored.</summary>
    public void LoadStates(IReadOnlyDictionary<(string RuleKey, string SourceKey), string> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        foreach (var (key, json) in states)
        {
            if (!_bindings.TryGetValue(key, out var b))
            {
                continue;
            }
            var s = DetectorText.Load<BindingState>(json);
            if (b.Detector is { } detector)
            {
                detector.LoadState(s.Detector);
            }
            else
            {
                b.Group!.Detector.LoadState(s.Detector);
                b.Group.LastStep = s.LastStep;
            }
            (b.Active, b.RaisedAt, b.Chattering, b.ClearPendingSince, b.Current) = (s.Active, s.RaisedAt, s.Chattering, s.ClearPendingSince, s.Current);
            b.Raises.Clear();
            foreach (var raise in s.Raises)
            {
                b.Raises.Enqueue(raise);
            }
        }
    }

    private Binding? Reuse((string, string) key, string fingerprint, AlertRuleDefinition rule)
    {
        if (_bindings.TryGetValue(key, out var existing) && existing.Fingerprint == fingerprint)
        {
            existing.Rule = rule;
            return existing;
        }
        return null;
    }

    private static bool Matches(RuleScope scope, EngineSensor sensor) =>
        (scope.SensorKey is null || scope.SensorKey == sensor.Key)
        && (scope.SiteKey is null || scope.SiteKey == sensor.SiteKey)
        && (scope.AssetType is null || scope.AssetType == sensor.AssetType)
        && (scope.Metric is null || scope.Metric == sensor.Context.Metric);

    /// <summary>The matching assets' sensors for each listed metric, in metric order (an asset's first sensor of a metric wins).</summary>
    private IEnumerable<SensorSlot[]> MatchAssets(RuleScope scope, MultivariateParameters p)
    {
        foreach (var asset in _sensorOrder.GroupBy(s => s.Sensor.AssetKey, StringComparer.Ordinal))
        {
            var first = asset.First().Sensor;
            if ((scope.SiteKey is not null && scope.SiteKey != first.SiteKey)
                || (scope.AssetType is not null && scope.AssetType != first.AssetType)
                || (scope.SensorKey is not null && asset.All(s => s.Sensor.Key != scope.SensorKey))
                || (scope.Metric is not null && asset.All(s => s.Sensor.Context.Metric != scope.Metric)))
            {
                continue;
            }
            var members = p.Metrics.Select(m => asset.FirstOrDefault(s => s.Sensor.Context.Metric == m)).ToArray();
            if (members.Length > 0 && members.All(m => m is not null))
            {
                yield return members!;
            }
        }
    }

    private void StepGroup(Binding binding, DateTime timestamp, List<AlarmSignal> output)
    {
        var group = binding.Group!;
        if (group.LastStep is { } last && timestamp - last < group.Parameters.Step)
        {
            return;
        }
        for (var i = 0; i < group.Members.Length; i++)
        {
            var member = group.Members[i];
            if (member.LastAt == DateTime.MinValue || timestamp - member.LastAt > 3 * member.Sensor.Context.ExpectedInterval)
            {
                return;
            }
            group.Vector[i] = member.LastValue;
        }
        group.LastStep = timestamp;
        Apply(binding, group.Detector.Update(timestamp, group.Vector), timestamp, output);
    }

    private void Apply(Binding b, Detection detection, DateTime at, List<AlarmSignal> output)
    {
        b.Current = detection;
        if (detection.Active)
        {
            b.ClearPendingSince = null;
            if (b.Active)
            {
                return;
            }
            var cutoff = at - _options.ChatterWindow;
            while (b.Raises.Count > 0 && b.Raises.Peek() <= cutoff)
            {
                b.Raises.Dequeue();
            }
            b.Raises.Enqueue(at);
            b.Chattering |= b.Raises.Count >= _options.ChatterCycles;
            b.Active = true;
            b.RaisedAt = at;
            Floods.Record(b.Area, at);
            output.Add(new AlarmSignal(b.Rule.Key, b.SourceKey, b.Area, true, at, detection, b.Chattering));
            return;
        }
        if (!b.Active)
        {
            return;
        }
        if (b.Chattering)
        {
            b.ClearPendingSince ??= at;
            if (at - b.ClearPendingSince.Value < _options.ChatterSettle)
            {
                return;
            }
        }
        output.Add(new AlarmSignal(b.Rule.Key, b.SourceKey, b.Area, false, at, detection, b.Chattering));
        b.Active = false;
        b.RaisedAt = null;
        b.ClearPendingSince = null;
        if (b.Chattering)
        {
            b.Chattering = false;
            b.Raises.Clear();
        }
    }

    private sealed class SensorSlot(EngineSensor sensor)
    {
        public EngineSensor Sensor { get; } = sensor;

        public List<Binding> Bindings { get; } = [];

        public List<Binding> Groups { get; } = [];

        public DateTime LastAt { get; set; } = DateTime.MinValue;

        public double LastValue { get; set; }
    }

    private sealed class Group(MultivariateParameters parameters, SensorSlot[] members, IMultivariateDetector detector)
    {
        public MultivariateParameters Parameters { get; } = parameters;

        public SensorSlot[] Members { get; } = members;

        public IMultivariateDetector Detector { get; } = detector;

        public double[] Vector { get; } = new double[members.Length];

        public DateTime? LastStep { get; set; }
    }

    private sealed class Binding(AlertRuleDefinition rule, string sourceKey, string area, string fingerprint)
    {
        public AlertRuleDefinition Rule { get; set; } = rule;

        public string SourceKey { get; } = sourceKey;

        public string Area { get; } = area;

        public string Fingerprint { get; } = fingerprint;

        public IDetector? Detector { get; init; }

        public SensorSlot? Slot { get; init; }

        public Group? Group { get; init; }

        public bool Active { get; set; }

        public DateTime? RaisedAt { get; set; }

        public bool Chattering { get; set; }

        public Queue<DateTime> Raises { get; } = new();

        public DateTime? ClearPendingSince { get; set; }

        public Detection? Current { get; set; }
    }

    private sealed record BindingState(
        string Detector, bool Active, DateTime? RaisedAt, bool Chattering, DateTime[] Raises, DateTime? ClearPendingSince,
        Detection? Current, DateTime? LastStep);
}

/// <summary>Engine-wide alarm-system settings.</summary>
/// <param name="ChatterCycles">A binding that raises this many times within <see cref="ChatterWindow"/> is chattering.</param>
/// <param name="FloodAlarms">More than this many new alarms in <see cref="FloodWindow"/> in one area is a flood (EEMUA 191: 10 in 10 min).</param>
public sealed record RuleEngineOptions(
    int ChatterCycles = 3,
    TimeSpan? ChatterWindowOverride = null,
    int FloodAlarms = 10,
    TimeSpan? FloodWindowOverride = null)
{
    public TimeSpan ChatterWindow => ChatterWindowOverride ?? TimeSpan.FromMinutes(1);
    public TimeSpan FloodWindow => FloodWindowOverride ?? TimeSpan.FromMinutes(10);

    /// <summary>A chattering alarm is held until its condition has been gone this long (the damping).</summary>
    public TimeSpan ChatterSettle { get; init; } = TimeSpan.FromMinutes(5);
}
