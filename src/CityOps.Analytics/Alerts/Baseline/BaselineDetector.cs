using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CityOps.Analytics.Alerts.Baseline;

/// <summary>
/// What is normal for this sensor at this time of day and day of week (site-local), learned online from the
/// readings themselves, and how surprising each new reading is against it.
/// </summary>
/// <remarks>
/// Two explanations of "normal" run side by side: a seasonal profile (robust location and spread per local
/// time-of-day slot plus a per-weekday offset) and the plain recent level. Each feeds a
/// <see cref="DeviationScorer"/> with its residual (the seasonal one in units of the slot's spread); the
/// explanation whose residuals are clearly tighter is used, so a sensor without a daily rhythm is not forced into
/// one. The tail probability is judged once more against this sensor's own history of surprises, and mapped to
/// a score in [0, 1].
/// <para>
/// <see cref="Detection.Active"/> is the alarm: readings stayed outside the normal band for several readings in a
/// row, so a single spike does not raise it. <see cref="Detection.Score"/> reports each anomaly once: after a score reaches
/// <see cref="BaselineParameters.ReportScore"/>, scores are damped for a hold-off of readings, so one event does
/// not produce a string of reports (the alarm itself stays up while the deviation lasts).
/// </para>
/// Every statistic is updated one reading at a time after the reading has been scored (no look-ahead), memory is
/// a fixed number of slots per sensor, and the whole state is a small JSON document.
/// </remarks>
public sealed class BaselineDetector : IDetector
{
    // Extreme inputs can overflow a variance to infinity; the state must still round-trip.
    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private readonly BaselineParameters _p;
    private readonly SensorContext _sensor;
    private State _s;
    private Detection? _conclusion;

    public BaselineDetector(BaselineParameters parameters, SensorContext sensor)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters.SlotsPerDay, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters.ShortWindowReadings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters.LongMemoryReadings, 2);
        _p = parameters;
        _sensor = sensor;
        _s = NewState();
    }

    public Detection Update(DateTime timestamp, double value)
    {
        if (!double.IsFinite(value))
        {
            return Evaluate(timestamp);
        }
        var utc = timestamp.Kind == DateTimeKind.Local ? timestamp.ToUniversalTime() : DateTime.SpecifyKind(timestamp, DateTimeKind.Utc);
        LearnInterval(utc.Ticks);
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, _sensor.TimeZone);
        var slot = SlotOf(local);
        var day = (int)local.DayOfWeek;

        var seasonalReady = ProfileReady();
        var (expectedSeasonal, scale) = seasonalReady ? SeasonalExpected(slot, day) : (double.NaN, double.NaN);

        var floor = NoiseFloor();
        var raw = _s.Raw.Observe(value, _p.ShortWindowReadings, _p.LongMemoryReadings, floor);
        var seasonal = (Log10P: 0.0, Z: 0.0);
        if (seasonalReady)
        {
            scale = Math.Max(scale, floor);
            // The residual is measured in this slot's own spread: rush hour is noisier than the night.
            seasonal = _s.Seasonal.Observe((value - expectedSeasonal) / scale, _p.ShortWindowReadings, _p.LongMemoryReadings, 1e-6);
            _s.SeasonalError.Update(value - expectedSeasonal, 1.0 / _p.LongMemoryReadings, double.PositiveInfinity);
        }

        LearnProfile(slot, day, value);
        _s.Count++;

        var useSeasonal = seasonalReady && _s.Seasonal.N > _p.ShortWindowReadings
            && RootMeanSquare(_s.SeasonalError) < SeasonalAdvantage * _s.Raw.Level.Sigma;
        var (log10P, z) = useSeasonal ? seasonal : raw;
        var surprise = _s.Count <= _p.WarmupReadings ? 0 : 1 - Math.Exp(-Blend(-log10P) / _p.ScoreDecades);
        var score = Report(surprise);

        double expected;
        double low;
        double high;
        if (useSeasonal)
        {
            var level = _s.Seasonal.Level;
            expected = expectedSeasonal + scale * level.Mean;
            low = expected - _p.BandSigmas * scale * Math.Max(level.Sigma, 1e-6);
            high = expected + _p.BandSigmas * scale * Math.Max(level.Sigma, 1e-6);
        }
        else
        {
            expected = _s.Raw.Level.Mean;
            low = expected - _p.BandSigmas * Math.Max(_s.Raw.Level.Sigma, floor);
            high = expected + _p.BandSigmas * Math.Max(_s.Raw.Level.Sigma, floor);
        }

        UpdateAlarm(value < low || value > high);
        _s.Last = new Snapshot
        {
            Active = _s.Active,
            Score = score,
            Value = value,
            Z = z,
            Expected = expected,
            Low = low,
            High = high,
            Seasonal = useSeasonal,
            LocalTicks = local.Ticks,
        };
        _conclusion = _s.Last.ToDetection(_p, _sensor);
        return _conclusion.Value;
    }

    // Nothing changes between readings: the engine's clock asks every second, and wording the detail each time
    // would cost as much as learning from a reading.
    public Detection Evaluate(DateTime now) => _s.Count == 0 ? Detection.Normal : _conclusion ??= _s.Last.ToDetection(_p, _sensor);

    public string SaveState() => JsonSerializer.Serialize(_s, JsonOptions);

    public void LoadState(string state)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state);
        var loaded = JsonSerializer.Deserialize<State>(state, JsonOptions)
            ?? throw new ArgumentException("The baseline state is empty.", nameof(state));
        if (loaded.Slots.Length != _p.SlotsPerDay || loaded.Days.Length != 7)
        {
            throw new ArgumentException("The baseline state was saved with a different slot layout.", nameof(state));
        }
        _s = loaded;
        _conclusion = null;
    }

    // The seasonal explanation must beat the plain level clearly before it is trusted: with few days learned
    // its residuals are noisy, and switching back and forth would make the band jump on the chart.
    private const double SeasonalAdvantage = 0.8;

    private State NewState() => new()
    {
        Slots = Enumerable.Range(0, _p.SlotsPerDay).Select(_ => new RobustTracker()).ToArray(),
        Days = Enumerable.Range(0, 7).Select(_ => new RobustTracker()).ToArray(),
        IntervalSeconds = _sensor.ExpectedInterval > TimeSpan.Zero ? _sensor.ExpectedInterval.TotalSeconds : 0,
    };

    private double SlotSeconds => 86_400.0 / _p.SlotsPerDay;

    private int SlotOf(DateTime local) => (int)(local.TimeOfDay.TotalSeconds / SlotSeconds) % _p.SlotsPerDay;

    // Readings that fall into one slot on one day; sets how fast a slot forgets in days, whatever the sample rate.
    private double ReadingsPerSlotDay => _s.IntervalSeconds > 0 ? Math.Max(1, SlotSeconds / _s.IntervalSeconds) : 1;

    private void LearnInterval(long ticks)
    {
        if (_s.LastTicks != 0 && ticks > _s.LastTicks)
        {
            var dt = (ticks - _s.LastTicks) / (double)TimeSpan.TicksPerSecond;
            // Gaps (outages) must not stretch the learned interval; bound each step's influence.
            _s.IntervalSeconds = _s.IntervalSeconds <= 0 ? dt : _s.IntervalSeconds + 0.05 * (Math.Min(dt, 3 * _s.IntervalSeconds) - _s.IntervalSeconds);
        }
        _s.LastTicks = Math.Max(_s.LastTicks, ticks);
        if (_s.FirstTicks == 0)
        {
            _s.FirstTicks = ticks;
        }
    }

    // A profile is usable once it has seen a full day, so every slot has an estimate of its own.
    private bool ProfileReady() =>
        _s.LastTicks - _s.FirstTicks >= TimeSpan.TicksPerDay && Array.TrueForAll(_s.Slots, t => t.N >= 2);

    // A slot's own spread (its readings around its mean, which includes how much the curve moves within the
    // slot) is noisy while the slot has seen few days, so it is shrunk towards the average spread of all slots.
    private (double Expected, double Scale) SeasonalExpected(int slot, int day)
    {
        double pooled = 0;
        foreach (var other in _s.Slots)
        {
            pooled += other.Variance;
        }
        pooled /= _s.Slots.Length;
        var own = _s.Slots[slot];
        var n = Math.Min(own.N - 1, _p.ProfileMemoryDays * ReadingsPerSlotDay);
        var variance = (n * own.Variance + SlotPriorReadings * pooled) / (n + SlotPriorReadings);
        return (own.Mean + DayOffset(day), Math.Sqrt(variance));
    }

    private const double SlotPriorReadings = 4;

    private static double RootMeanSquare(RobustTracker t) => Math.Sqrt(t.Variance + t.Mean * t.Mean);

    private double DayOffset(int day)
    {
        if (!_p.DayOfWeek)
        {
            return 0;
        }
        var d = _s.Days[day];
        // Trust a weekday's offset only after it has covered most of a day.
        return d.N >= 0.5 * ReadingsPerSlotDay * _p.SlotsPerDay ? d.Mean : 0;
    }

    private void LearnProfile(int slot, int day, double value)
    {
        var perDay = ReadingsPerSlotDay;
        var slotStep = 1.0 / (_p.ProfileMemoryDays * perDay);
        var t = _s.Slots[slot];
        var offset = DayOffset(day);
        if (_p.DayOfWeek && t.N > 0)
        {
            // The weekday offset is what is left once the time of day is explained; weeks are long, so it
            // remembers about four of each weekday.
            _s.Days[day].Update(value - t.Mean, 1.0 / (4 * perDay * _p.SlotsPerDay), 4);
        }
        t.Update(value - offset, slotStep, 4);
    }

    // Quantised or flat signals have zero spread; a tiny floor relative to the signal's scale keeps z finite
    // while still calling the first change of a stuck signal surprising.
    private double NoiseFloor() => 1e-9 + 1e-4 * (Math.Abs(_s.Raw.Level.Mean) + _s.Raw.Level.Sigma);

    // How rare this surprise is among this sensor's own surprises: a noisy sensor is surprised often and must
    // not outrank a quiet sensor's first real departure, so the tail probability is judged once more against
    // the history of tail probabilities (the idea behind an anomaly likelihood).
    private double Rarity(double surprise)
    {
        var history = _s.Surprise;
        var z = history.N < 2 ? 0 : (surprise - history.Mean) / Math.Max(history.Sigma, MinSurpriseSigma);
        history.Update(surprise, 1.0 / _p.LongMemoryReadings, 4);
        return z <= 0 ? 0 : -Tail.Log10TwoSided(z) - Math.Log10(2);
    }

    private const double MinSurpriseSigma = 0.1;

    private double Blend(double surprise) => (1 - _p.RarityWeight) * surprise + _p.RarityWeight * Rarity(surprise);

    private double Report(double surprise)
    {
        if (_s.Holdoff > 0)
        {
            _s.Holdoff--;
            return surprise * _p.HoldoffWeight;
        }
        if (surprise >= _p.ReportScore)
        {
            _s.Holdoff = _p.HoldoffReadings;
        }
        return surprise;
    }

    // The alarm follows the readings themselves: outside the band for several readings in a row. The score's
    // short-term looks keep echoing a single spike for a few readings, which must not count as "sustained".
    private void UpdateAlarm(bool outside)
    {
        if (outside)
        {
            _s.Above++;
            _s.Below = 0;
        }
        else
        {
            _s.Below++;
            _s.Above = 0;
        }
        if (!_s.Active && _s.Above >= _p.SustainReadings)
        {
            _s.Active = true;
        }
        else if (_s.Active && _s.Below >= _p.ClearReadings)
        {
            _s.Active = false;
        }
    }

    private sealed class State
    {
        public long Count { get; set; }
        public long FirstTicks { get; set; }
        public long LastTicks { get; set; }
        public double IntervalSeconds { get; set; }
        public RobustTracker[] Slots { get; set; } = [];
        public RobustTracker[] Days { get; set; } = [];
        public DeviationScorer Raw { get; set; } = new();
        public DeviationScorer Seasonal { get; set; } = new();
        public RobustTracker SeasonalError { get; set; } = new();
        public RobustTracker Surprise { get; set; } = new();
        public bool Active { get; set; }
        public int Above { get; set; }
        public int Below { get; set; }
        public int Holdoff { get; set; }
        public Snapshot Last { get; set; } = new();
    }

    private sealed class Snapshot
    {
        public bool Active { get; set; }
        public double Score { get; set; }
        public double Value { get; set; }
        public double Z { get; set; }
        public double Expected { get; set; }
        public double Low { get; set; }
        public double High { get; set; }
        public bool Seasonal { get; set; }
        public long LocalTicks { get; set; }

        public Detection ToDetection(BaselineParameters p, SensorContext sensor)
        {
            var unit = string.IsNullOrEmpty(sensor.Unit) ? "" : " " + sensor.Unit;
            var inv = CultureInfo.InvariantCulture;
            var direction = Z >= 0 ? "above" : "below";
            // Worded after every reading (the engine keeps the latest conclusion for the screens): one interpolation into
            // a single buffer, without boxing each number as string.Format would.
            var detail = Seasonal
                ? string.Create(inv, stackalloc char[160],
                    $"{Value:G4}{unit} is {Math.Abs(Z):0.0}σ {direction} the usual {Expected:G4}{unit} for {new DateTime(LocalTicks):ddd HH:mm} (normal {Low:G4}–{High:G4}{unit}), score {Score:0.00}")
                : string.Create(inv, stackalloc char[160],
                    $"{Value:G4}{unit} is {Math.Abs(Z):0.0}σ {direction} the usual {Expected:G4}{unit} (normal {Low:G4}–{High:G4}{unit}), score {Score:0.00}");
            return new Detection(Active, Score, detail, Expected, Low, High);
        }
    }
}
