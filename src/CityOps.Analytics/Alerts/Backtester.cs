using CityOps.Analytics.Kpi;

namespace CityOps.Analytics.Alerts;

/// <summary>One stored reading fed to a backtest.</summary>
public readonly record struct BacktestReading(int SensorId, DateTime Timestamp, double Value);

/// <summary>How the backtest drives the engine: the live engine's own settings.</summary>
/// <param name="Engine">Chatter and flood settings, as the live engine has them.</param>
/// <param name="ClockInterval">The live engine's clock: time-driven conclusions (stale data, on/off-delays, chatter damping)
/// are evaluated this often, in reading time.</param>
public sealed record BacktestOptions(RuleEngineOptions? Engine = null, TimeSpan? ClockInterval = null)
{
    public TimeSpan Clock => ClockInterval ?? TimeSpan.FromSeconds(1);
}

/// <summary>
/// Runs one rule (and, for comparison, the version now saved) over a time-ordered series of readings with the live
/// engine's own <see cref="RuleEngine"/>, driven the way the live engine drives it: every reading through
/// <see cref="RuleEngine.OnReading"/>, and a clock tick through <see cref="RuleEngine.OnClock"/> every
/// <see cref="BacktestOptions.Clock"/> of reading time, each tick after the readings stamped up to it. So a backtest
/// raises and clears the alarms the live engine would have, at the same times.
/// </summary>
/// <remarks>Feed readings with <see cref="OnReading"/> in time order (any number of sensors interleaved), then call
/// <see cref="Finish"/>. Readings of sensors neither rule reads are ignored. Not thread-safe.</remarks>
public sealed class Backtester
{
    private readonly AlertRuleDefinition _proposed;
    private readonly RuleEngine _engine;
    private readonly RuleEngine? _currentEngine;
    private readonly RunState _run;
    private readonly RunState? _currentRun;
    private readonly long _clock;
    private readonly List<AlarmSignal> _signals = [];
    private readonly Dictionary<string, double> _lastValue = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _keyOfId;
    private long _nextTick;

    /// <param name="proposed">The rule as edited; it is backtested even when disabled.</param>
    /// <param name="current">The version now saved (null for a new rule): backtested on the same readings for <see cref="BacktestResult.Current"/>.</param>
    /// <param name="sensors">The registry as the engine sees it; the rules bind to it exactly as the live engine's do.</param>
    /// <exception cref="RuleValidationException"><paramref name="proposed"/> is invalid.</exception>
    public Backtester(AlertRuleDefinition proposed, AlertRuleDefinition? current, IReadOnlyList<EngineSensor> sensors,
        DateTime from, DateTime to, BacktestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(sensors);
        RuleValidation.ThrowIfInvalid(proposed);
        if (to <= from)
        {
            throw new ArgumentException($"The backtest range must end after it starts ({from:O} to {to:O}).", nameof(to));
        }
        options ??= new BacktestOptions();
        if (options.Clock <= TimeSpan.Zero)
        {
            throw new ArgumentException("The clock interval must be positive.", nameof(options));
        }
        _proposed = proposed;
        From = from;
        To = to;
        _clock = options.Clock.Ticks;
        _nextTick = from.Ticks + _clock;
        _engine = new RuleEngine([proposed with { Enabled = true }], sensors, options.Engine);
        if (_engine.SkippedRules.Count > 0)
        {
            throw new NotSupportedException(_engine.SkippedRules[0].Reason);
        }
        _run = new RunState(_engine.BindingCount);
        var read = _engine.BoundSensors().ToDictionary(s => s.Id);
        if (current is not null)
        {
            try
            {
                _currentEngine = new RuleEngine([current with { Enabled = true }], sensors, options.Engine);
                _currentRun = new RunState(_currentEngine.BindingCount);
                foreach (var sensor in _currentEngine.BoundSensors())
                {
                    read.TryAdd(sensor.Id, sensor);
                }
            }
            catch (ArgumentException)
            {
                // A saved version the models refuse today (saved before validation was this strict) has no figures.
                _currentEngine = null;
            }
        }
        Sensors = [.. sensors.Where(s => read.ContainsKey(s.Id))];
        _keyOfId = Sensors.ToDictionary(s => s.Id, s => s.Key);
    }

    public DateTime From { get; }

    public DateTime To { get; }

    /// <summary>The sensors either rule reads: the history to feed.</summary>
    public IReadOnlyList<EngineSensor> Sensors { get; }

    /// <summary>Readings fed so far.</summary>
    public long Readings { get; private set; }

    /// <summary>Alarms the proposed rule raised so far.</summary>
    public int Alarms => _run.Alarms.Count;

    /// <summary>Feeds one reading (in time order); the clock ticks that fall before it run first.</summary>
    public void OnReading(int sensorId, DateTime timestamp, double value)
    {
        var ticks = timestamp.Ticks;
        while (_nextTick < ticks && _nextTick < To.Ticks)
        {
            Tick(new DateTime(_nextTick, DateTimeKind.Utc));
            _nextTick += _clock;
        }
        if (!_keyOfId.TryGetValue(sensorId, out var key))
        {
            return;
        }
        Readings++;
        _lastValue[key] = value;
        _signals.Clear();
        _engine.OnReading(sensorId, timestamp, value, _signals);
        if (_signals.Count > 0)
        {
            Collect(_run, _signals);
        }
        if (_currentEngine is not null)
        {
            _signals.Clear();
            _currentEngine.OnReading(sensorId, timestamp, value, _signals);
            if (_signals.Count > 0)
            {
                Collect(_currentRun!, _signals);
            }
        }
    }

    /// <summary>How far the backtest has got, by reading time.</summary>
    public BacktestProgress Progress(DateTime at)
    {
        var fraction = Math.Clamp((double)(at - From).Ticks / (To - From).Ticks, 0, 1);
        return new BacktestProgress(fraction, Readings, Alarms);
    }

    /// <summary>Runs the clock to the end of the range and returns the alarms and rates.</summary>
    public BacktestResult Finish(TimeSpan elapsed)
    {
        while (_nextTick < To.Ticks)
        {
            Tick(new DateTime(_nextTick, DateTimeKind.Utc));
            _nextTick += _clock;
        }
        var alarms = _run.Complete();
        var current = _currentRun?.Complete();
        return new BacktestResult(_proposed.Key, From, To, Readings, _run.Sources, alarms, Rates(alarms, _run.Sources),
            current is null ? null : Rates(current, _currentRun!.Sources), elapsed);
    }

    /// <summary>Backtests over an in-memory series (time-ordered), reporting progress about every 1 % and checking for cancellation.</summary>
    public static BacktestResult Run(AlertRuleDefinition proposed, AlertRuleDefinition? current, IReadOnlyList<EngineSensor> sensors,
        IEnumerable<BacktestReading> readings, DateTime from, DateTime to, BacktestOptions? options = null,
        IProgress<BacktestProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var backtester = new Backtester(proposed, current, sensors, from, to, options);
        var step = Math.Max(1, (to - from).Ticks / 100);
        var nextReport = from.Ticks + step;
        var count = 0;
        foreach (var r in readings)
        {
            if (r.Timestamp < from)
            {
                continue;
            }
            if (r.Timestamp >= to)
            {
                break;
            }
            if ((++count & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (r.Timestamp.Ticks >= nextReport)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(backtester.Progress(r.Timestamp));
                nextReport = r.Timestamp.Ticks + step;
            }
            backtester.OnReading(r.SensorId, r.Timestamp, r.Value);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = backtester.Finish(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        progress?.Report(new BacktestProgress(1, result.Readings, result.Alarms.Count));
        return result;
    }

    /// <summary>
    /// The alarm-rate figures of <paramref name="alarms"/> over the range, counted as the alarm-system KPIs count them:
    /// 10-minute intervals from the start of the range; an alarm still active at the end lasts until the end.
    /// <see cref="BacktestRates.ShareOfTimeActive"/> is alarm time over the time of all <paramref name="sources"/> watched.
    /// </summary>
    public BacktestRates Rates(IReadOnlyList<BacktestAlarm> alarms, int sources)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        var range = To - From;
        var intervals = (int)Math.Ceiling(range / AlarmSystemKpis.Interval);
        var counts = new int[Math.Max(1, intervals)];
        long total = 0;
        long longest = 0;
        var chattering = 0;
        foreach (var alarm in alarms)
        {
            counts[Math.Clamp((int)((alarm.RaisedAt - From) / AlarmSystemKpis.Interval), 0, counts.Length - 1)]++;
            var duration = ((alarm.ClearedAt ?? To) - alarm.RaisedAt).Ticks;
            total += duration;
            longest = Math.Max(longest, duration);
            chattering += alarm.Chattering ? 1 : 0;
        }
        var n = alarms.Count;
        return new BacktestRates(
            n,
            n / range.TotalDays,
            (double)n / counts.Length,
            n == 0 ? 0 : counts.Max(),
            chattering,
            n == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(total / n),
            TimeSpan.FromTicks(longest),
            sources == 0 ? 0 : Math.Min(1, (double)total / (range.Ticks * (double)sources)));
    }

    private void Tick(DateTime now)
    {
        _signals.Clear();
        _engine.OnClock(now, _signals);
        if (_signals.Count > 0)
        {
            Collect(_run, _signals);
        }
        if (_currentEngine is not null)
        {
            _signals.Clear();
            _currentEngine.OnClock(now, _signals);
            if (_signals.Count > 0)
            {
                Collect(_currentRun!, _signals);
            }
        }
    }

    private void Collect(RunState run, List<AlarmSignal> signals)
    {
        foreach (var s in signals)
        {
            if (s.Active)
            {
                double? value = _lastValue.TryGetValue(s.SourceKey, out var v) ? v : null;
                run.Open[s.SourceKey] = run.Alarms.Count;
                run.Alarms.Add(new BacktestAlarm(s.SourceKey, s.At, null, s.Detection.Detail ?? _proposed.Message, value, s.Chattering));
            }
            else if (run.Open.Remove(s.SourceKey, out var index))
            {
                var alarm = run.Alarms[index];
                run.Alarms[index] = alarm with { ClearedAt = s.At, Chattering = alarm.Chattering || s.Chattering };
            }
        }
    }

    private sealed class RunState(int sources)
    {
        public int Sources { get; } = sources;

        public List<BacktestAlarm> Alarms { get; } = [];

        public Dictionary<string, int> Open { get; } = new(StringComparer.Ordinal);

        public IReadOnlyList<BacktestAlarm> Complete() => Alarms;
    }
}
