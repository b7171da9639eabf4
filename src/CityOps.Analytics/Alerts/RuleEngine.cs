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
public sealed class RuleEngine
{
    public RuleEngine(IEnumerable<AlertRuleDefinition> rules, IEnumerable<EngineSensor> sensors, RuleEngineOptions? options = null) =>
        throw new NotImplementedException();

    /// <summary>Feeds one reading; appends any alarm signals it causes to <paramref name="output"/>.</summary>
    public void OnReading(int sensorId, DateTime timestamp, double value, List<AlarmSignal> output) => throw new NotImplementedException();

    /// <summary>Time passed (no reading needed): stale data, off-delays; appends signals to <paramref name="output"/>.</summary>
    public void OnClock(DateTime now, List<AlarmSignal> output) => throw new NotImplementedException();

    /// <summary>The newest conclusion of one binding (for the alarm's evidence), if it exists.</summary>
    public Detection? Current(string ruleKey, string sourceKey) => throw new NotImplementedException();

    /// <summary>Every (rule, source) binding whose condition is active now.</summary>
    public IReadOnlyList<AlarmSignal> ActiveConditions() => throw new NotImplementedException();

    /// <summary>
    /// Replaces the rule set. Bindings of unchanged rules keep their learned state; removed or disabled rules'
    /// bindings disappear without signals (their alarms are taken out of service, not "returned to normal", so
    /// switching rules in bulk never causes a storm of clears). Returns the keys of bindings that disappeared.
    /// </summary>
    public IReadOnlyList<(string RuleKey, string SourceKey)> SetRules(IEnumerable<AlertRuleDefinition> rules) => throw new NotImplementedException();

    /// <summary>Learned state of every binding, keyed by (rule key, source key), to persist across restarts.</summary>
    public IReadOnlyDictionary<(string RuleKey, string SourceKey), string> SaveStates() => throw new NotImplementedException();

    /// <summary>Restores what <see cref="SaveStates"/> returned; unknown keys are ignored.</summary>
    public void LoadStates(IReadOnlyDictionary<(string RuleKey, string SourceKey), string> states) => throw new NotImplementedException();
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
}
