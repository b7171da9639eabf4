using CityOps.Simulator.Physics;
using CityOps.Simulator.World;

namespace CityOps.Simulator;

/// <summary>
/// The digital twin: simulates every sensor of a <see cref="WorldDefinition"/> forward in time, with daily and weekly
/// patterns, noise, physical correlations, injected faults and actuator effects.
/// </summary>
/// <remarks>
/// <para>Deterministic: the same world, seed, start and sequence of calls give identical readings, however the time
/// is chopped into <see cref="AdvanceTo"/> calls. All randomness is a pure function of the seed, the sensor or
/// model and the simulated instant; the wall clock is never consulted.</para>
/// <para>Conventions of the values: machine state is 0 = down, 1 = idle, 2 = running. Good and scrap part counters
/// and energy meters report the amount produced or consumed since the sensor's previous reading (parts as whole
/// numbers, carrying fractions over; energy in kWh), so summing readings over a window gives the window's total
/// and nothing ever needs resetting; a dropped reading loses its amount, as a lost message would. Every value lies
/// within its sensor's Min..Max.</para>
/// <para>Not thread-safe: one caller at a time. Use <see cref="Clone"/> for an independent copy (for example to
/// run a what-if), which may then be advanced on another thread.</para>
/// </remarks>
public sealed partial class Twin
{
    private static readonly long EpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private readonly CompiledWorld _w;
    private long _now;
    private readonly double[] _actuators;
    private readonly double[] _motorTemp;
    private readonly long[] _motorAt;
    private readonly double[] _queue;
    private readonly long[] _queueAt;
    private readonly double[] _acc;
    private readonly long[] _accAt;
    private readonly double[] _lastValue;
    private readonly long[] _interval;
    private readonly long[] _phase;
    private double _samplingScale = 1;
    private long _minimumInterval;
    private Due[] _due = new Due[256];

    public Twin(WorldDefinition world, int seed, DateTimeOffset start)
        : this(CompiledWorld.Compile(world, seed), start.UtcTicks)
    {
    }

    private Twin(CompiledWorld compiled, long start)
    {
        _w = compiled;
        _now = start;
        var sensorCount = compiled.Sensors.Length;
        _actuators = new double[compiled.World.Actuators.Count];
        for (var i = 0; i < _actuators.Length; i++)
        {
            _actuators[i] = compiled.World.Actuators[i].Initial;
        }
        _motorTemp = new double[compiled.Machines.Length];
        _motorAt = new long[compiled.Machines.Length];
        _queue = new double[compiled.Intersections.Length];
        _queueAt = new long[compiled.Intersections.Length];
        Array.Fill(_queueAt, start);
        _acc = new double[sensorCount];
        _accAt = new long[sensorCount];
        Array.Fill(_accAt, start);
        _lastValue = new double[sensorCount];
        Array.Fill(_lastValue, double.NaN);
        _interval = new long[sensorCount];
        _phase = new long[sensorCount];
        _faults = [];
        _records = [];
        _sensorFaults = new int[sensorCount];
        _machineFaults = new int[compiled.Machines.Length];
        _lineFaults = new int[compiled.Lines.Length];
        _zoneFaults = new int[compiled.WaterZones.Length];
        _intersectionFaults = new int[compiled.Intersections.Length];
        UpdateSchedule();
        // Start in thermal equilibrium rather than with cold motors.
        for (var m = 0; m < _motorTemp.Length; m++)
        {
            _motorAt[m] = start;
            _motorTemp[m] = MotorTarget(m, start, out _);
        }
    }

    private Twin(Twin other)
    {
        _w = other._w;
        _now = other._now;
        _actuators = (double[])other._actuators.Clone();
        _motorTemp = (double[])other._motorTemp.Clone();
        _motorAt = (long[])other._motorAt.Clone();
        _queue = (double[])other._queue.Clone();
        _queueAt = (long[])other._queueAt.Clone();
        _acc = (double[])other._acc.Clone();
        _accAt = (long[])other._accAt.Clone();
        _lastValue = (double[])other._lastValue.Clone();
        _interval = (long[])other._interval.Clone();
        _phase = (long[])other._phase.Clone();
        _samplingScale = other._samplingScale;
        _minimumInterval = other._minimumInterval;
        _faults = [.. other._faults];
        _records = [.. other._records];
        _sensorFaults = (int[])other._sensorFaults.Clone();
        _machineFaults = (int[])other._machineFaults.Clone();
        _lineFaults = (int[])other._lineFaults.Clone();
        _zoneFaults = (int[])other._zoneFaults.Clone();
        _intersectionFaults = (int[])other._intersectionFaults.Clone();
    }

    public WorldDefinition World => _w.World;

    public int Seed => _w.Seed;

    /// <summary>The simulated present: every reading up to and including this instant has been produced.</summary>
    public DateTimeOffset Now => new(_now, TimeSpan.Zero);

    /// <summary>
    /// Multiplies every sensor's sampling interval (1 = the world's intervals, 0.5 = twice as many readings).
    /// The physics is unchanged; only how often it is observed. Intervals never go below 1 ms.
    /// </summary>
    public double SamplingScale
    {
        get => _samplingScale;
        set
        {
            if (!(value > 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The sampling scale must be a positive number.");
            }
            _samplingScale = value;
            UpdateSchedule();
        }
    }

    /// <summary>Readings per second the twin produces at its current sampling (before dropouts).</summary>
    public double ReadingsPerSecond
    {
        get
        {
            var rate = 0.0;
            foreach (var interval in _interval)
            {
                rate += (double)TimeSpan.TicksPerSecond / interval;
            }
            return rate;
        }
    }

    /// <summary>An independent copy, in the same state, that can be advanced, commanded and faulted on its own.
    /// Both copies continue with the same randomness, so differences between them are caused by what is done to them.</summary>
    public Twin Clone() => new(this);

    /// <summary>
    /// Advances simulated time to <paramref name="until"/> and returns every reading due in (Now, until], ordered by
    /// time and then by sensor definition order. Returns an empty list if <paramref name="until"/> is not after Now.
    /// </summary>
    public IReadOnlyList<SimReading> AdvanceTo(DateTimeOffset until)
    {
        var end = until.UtcTicks;
        if (end <= _now)
        {
            return [];
        }
        var count = CollectDue(_now, end);
        var readings = new List<SimReading>(count);
        for (var i = 0; i < count; i++)
        {
            var (ticks, sensor) = (_due[i].Ticks, _due[i].Sensor);
            if (Produce(sensor, ticks, out var value))
            {
                readings.Add(new SimReading(_w.Sensors[sensor].Definition.Key, new DateTimeOffset(ticks, TimeSpan.Zero), value));
            }
        }
        _now = end;
        return readings;
    }

    /// <summary>
    /// History for backfill: readings from <paramref name="from"/> (exclusive) to <paramref name="to"/> (inclusive), each
    /// sensor sampled every max(its interval, <paramref name="minimumInterval"/>), in batches of at most about 50,000
    /// readings, in time order. Enumerating advances the twin, which is left at <paramref name="to"/> with its
    /// normal sampling restored. If <paramref name="from"/> is after Now, the twin first jumps there silently.
    /// </summary>
    public IEnumerable<IReadOnlyList<SimReading>> Backfill(DateTimeOffset from, DateTimeOffset to, TimeSpan minimumInterval)
    {
        if (from.UtcTicks < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(from), from, $"Backfill cannot start before the twin's present ({Now:O}).");
        }
        if (to < from)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, "Backfill must end after it starts.");
        }
        if (minimumInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumInterval), minimumInterval, "The minimum interval cannot be negative.");
        }
        return BackfillIterator(from.UtcTicks, to, minimumInterval.Ticks);
    }

    private IEnumerable<IReadOnlyList<SimReading>> BackfillIterator(long from, DateTimeOffset to, long minimumInterval)
    {
        JumpTo(from);
        _minimumInterval = minimumInterval;
        UpdateSchedule();
        try
        {
            const double readingsPerBatch = 50_000;
            var seconds = Math.Clamp(readingsPerBatch / ReadingsPerSecond, 1, 6 * 3600);
            var step = (long)(seconds * TimeSpan.TicksPerSecond);
            while (_now < to.UtcTicks)
            {
                var next = Math.Min(to.UtcTicks, _now + step);
                var batch = AdvanceTo(new DateTimeOffset(next, TimeSpan.Zero));
                if (batch.Count > 0)
                {
                    yield return batch;
                }
            }
        }
        finally
        {
            _minimumInterval = 0;
            UpdateSchedule();
        }
    }

    /// <summary>Moves to <paramref name="ticks"/> without producing readings (no history is wanted for the gap).</summary>
    private void JumpTo(long ticks)
    {
        if (ticks <= _now)
        {
            return;
        }
        for (var m = 0; m < _motorTemp.Length; m++)
        {
            // Integrating a long gap buys nothing: the motor has long settled.
            if (ticks - _motorAt[m] > TimeSpan.TicksPerDay)
            {
                _motorTemp[m] = MotorTarget(m, ticks, out _);
                _motorAt[m] = ticks;
            }
            else
            {
                AdvanceMotor(m, ticks);
            }
        }
        for (var i = 0; i < _queue.Length; i++)
        {
            if (ticks - _queueAt[i] > TimeSpan.TicksPerDay)
            {
                _queue[i] = 0;
                _queueAt[i] = ticks;
            }
            else
            {
                AdvanceQueue(i, ticks);
            }
        }
        Array.Clear(_acc);
        Array.Fill(_accAt, ticks);
        _now = ticks;
    }

    /// <summary>The current value of an actuator.</summary>
    public double GetActuator(string key) => _actuators[ActuatorIndex(key)];

    /// <summary>
    /// Commands an actuator from Now on. The process responds with its own dynamics (a motor cools over minutes,
    /// a queue drains at the rate the extra green time allows).
    /// </summary>
    /// <exception cref="ArgumentException">No actuator has this key.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside the actuator's Min..Max.</exception>
    public void SetActuator(string key, double value)
    {
        var index = ActuatorIndex(key);
        var definition = _w.World.Actuators[index];
        if (!(value >= definition.Min && value <= definition.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value,
                $"Actuator '{key}' accepts {definition.Min}..{definition.Max} {definition.Unit}.");
        }
        if (_w.Assets.TryGetValue(definition.AssetKey, out var asset))
        {
            SyncSite(asset.SiteKey, _now);
        }
        _actuators[index] = value;
    }

    private int ActuatorIndex(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _w.ActuatorIndex.TryGetValue(key, out var index)
            ? index
            : throw new ArgumentException($"No actuator has the key '{key}'.", nameof(key));
    }

    /// <summary>Brings every stateful model of a site up to <paramref name="ticks"/>, so a change made now does not
    /// leak into the past. Other sites are left alone, so a what-if on one site does not perturb another.</summary>
    private void SyncSite(string siteKey, long ticks)
    {
        for (var m = 0; m < _motorTemp.Length; m++)
        {
            if (_w.Sites[_w.Machines[m].Site].Key == siteKey)
            {
                AdvanceMotor(m, ticks);
            }
        }
        for (var i = 0; i < _queue.Length; i++)
        {
            if (_w.Sites[_w.Intersections[i].Site].Key == siteKey)
            {
                AdvanceQueue(i, ticks);
            }
        }
        foreach (var sensor in _w.Sensors)
        {
            if (sensor.IsAccumulator && _w.Sites[sensor.Site].Key == siteKey)
            {
                Accumulate(sensor, ticks);
            }
        }
    }

    private void UpdateSchedule()
    {
        for (var i = 0; i < _interval.Length; i++)
        {
            var sensor = _w.Sensors[i];
            var interval = Math.Max(TimeSpan.TicksPerMillisecond,
                (long)Math.Round(sensor.IntervalTicks * _samplingScale / TimeSpan.TicksPerMillisecond) * TimeSpan.TicksPerMillisecond);
            interval = Math.Max(interval, _minimumInterval);
            _interval[i] = interval;
            _phase[i] = sensor.PhaseTicks % interval;
        }
    }

    private readonly record struct Due(long Ticks, int Sensor);

    private readonly struct DueComparer : IComparer<Due>
    {
        public int Compare(Due x, Due y) => x.Ticks != y.Ticks ? x.Ticks.CompareTo(y.Ticks) : x.Sensor.CompareTo(y.Sensor);
    }

    /// <summary>Fills <see cref="_due"/> with every (instant, sensor) due in (from, to], sorted; returns the count.</summary>
    private int CollectDue(long from, long to)
    {
        var count = 0;
        for (var s = 0; s < _interval.Length; s++)
        {
            var interval = _interval[s];
            var phase = _phase[s];
            var k = FloorDiv(from - phase, interval) + 1;
            for (var t = k * interval + phase; t <= to; t += interval)
            {
                if (count == _due.Length)
                {
                    Array.Resize(ref _due, _due.Length * 2);
                }
                _due[count++] = new Due(t, s);
            }
        }
        _due.AsSpan(0, count).Sort(new DueComparer());
        return count;
    }

    private static long FloorDiv(long a, long b)
    {
        var q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }

    private static double Seconds(long ticks) => (ticks - EpochTicks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>One reading of one sensor: the true value, measurement noise, sensor faults, range and precision.</summary>
    private bool Produce(int s, long ticks, out double value)
    {
        var sensor = _w.Sensors[s];
        var v = TrueValue(sensor, ticks);
        var sigma = sensor.NoiseAbsolute + sensor.NoiseRelative * Math.Abs(v);
        if (sigma > 0)
        {
            v += sigma * Noise.Gaussian(sensor.Stream, ticks);
        }
        if (_sensorFaults[s] > 0 && !ApplySensorFaults(s, ticks, ref v))
        {
            value = 0;
            return false;
        }
        var d = sensor.Definition;
        v = Math.Round(Math.Clamp(v, d.Min, d.Max), sensor.Decimals);
        _lastValue[s] = v;
        value = v;
        return true;
    }
}
