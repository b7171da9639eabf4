using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using static CityOps.Tests.Analytics.Alerts.AlertTestKit;

namespace CityOps.Tests.Analytics.Alerts;

public class BacktesterTests
{
    private const string Press1 = "plant.line1.press1.motor_temp";
    private const string Press2 = "plant.line1.press2.motor_temp";

    private static readonly EngineSensor[] Sensors =
    [
        new(1, "plant", "plant.line1.press1", AssetType.Machine, "plant.line1", Sensor(Press1)),
        new(2, "plant", "plant.line1.press2", AssetType.Machine, "plant.line1", Sensor(Press2)),
        new(3, "plant", "plant.line1.press1", AssetType.Machine, "plant.line1", Sensor("plant.line1.press1.vibration", MetricKind.VibrationRms, "mm/s")),
    ];

    private static AlertRuleDefinition High(double high, string? sensorKey = Press1, TimeSpan? onDelay = null) =>
        Rule("motor.high", new RuleScope(SensorKey: sensorKey, AssetType: AssetType.Machine, Metric: MetricKind.Temperature),
            new LimitParameters { High = high, Deadband = 1, OnDelay = onDelay ?? TimeSpan.Zero });

    private static BacktestResult Backtest(AlertRuleDefinition proposed, AlertRuleDefinition? current, IReadOnlyList<EngineSensor> sensors,
        IEnumerable<BacktestReading> readings, DateTime from, DateTime to, BacktestOptions? options = null, IProgress<BacktestProgress>? progress = null) =>
        Backtester.Run(proposed, current, sensors, readings, from, to, options, progress, TestContext.Current.CancellationToken);

    /// <summary>One reading of <paramref name="sensorId"/> every <paramref name="step"/> seconds over [0, <paramref name="seconds"/>).</summary>
    private static IEnumerable<BacktestReading> Readings(int sensorId, int seconds, int step, Func<int, double> value)
    {
        for (var t = 0; t < seconds; t += step)
        {
            yield return new BacktestReading(sensorId, At(t), value(t));
        }
    }

    /// <summary>80 °C, with excursions to 95 °C over [start, end) seconds.</summary>
    private static Func<int, double> Excursions(params (int Start, int End)[] spans) =>
        t => spans.Any(s => t >= s.Start && t < s.End) ? 95 : 80;

    [Fact]
    public void Run_TwoExcursions_TwoAlarmsWithRaiseAndClearTimesAndValues()
    {
        var readings = Readings(1, 3600, 10, Excursions((600, 900), (1800, 1850)));

        var result = Backtest(High(90), null, Sensors, readings, At(0), At(3600));

        Assert.Equal("motor.high", result.RuleKey);
        Assert.Equal(360, result.Readings);
        Assert.Equal(1, result.Sources);
        Assert.Equal([(Press1, At(600), (DateTime?)At(900)), (Press1, At(1800), At(1850))], result.Alarms.Select(a => (a.SourceKey, a.RaisedAt, a.ClearedAt)));
        Assert.Equal(95, result.Alarms[0].Value);
        Assert.Equal("95 °C above the high limit 90 °C", result.Alarms[0].Message);
        Assert.Null(result.Current);
    }

    [Fact]
    public void Run_OnDelayRunsOutBetweenReadings_RaisedAtTheClockTickAsTheLiveEngineWould()
    {
        // One reading a minute; the condition holds from 600 s, the on-delay of 30 s runs out between readings.
        var readings = Readings(1, 1800, 60, Excursions((600, 1200)));

        var result = Backtest(High(90, onDelay: TimeSpan.FromSeconds(30)), null, Sensors, readings, At(0), At(1800),
            new BacktestOptions(ClockInterval: TimeSpan.FromSeconds(5)));

        var alarm = Assert.Single(result.Alarms);
        Assert.Equal(At(630), alarm.RaisedAt);
        Assert.Equal(At(1200), alarm.ClearedAt);
    }

    [Fact]
    public void Run_ActiveAtTheEnd_OpenAlarmLastsUntilTheEndOfTheRange()
    {
        var readings = Readings(1, 3600, 10, Excursions((3000, 4000)));

        var result = Backtest(High(90), null, Sensors, readings, At(0), At(3600));

        var alarm = Assert.Single(result.Alarms);
        Assert.Null(alarm.ClearedAt);
        Assert.Equal(TimeSpan.FromMinutes(10), result.Proposed.LongestDuration);
        Assert.Equal(600.0 / 3600, result.Proposed.ShareOfTimeActive, 6);
    }

    [Fact]
    public void Run_SeveralAlarms_RatesCountedPerTenMinutesAndDay()
    {
        // One day; three alarms in the first 10 minutes, one at noon lasting 30 minutes.
        var readings = Readings(1, 86400, 10, Excursions((0, 60), (200, 260), (400, 420), (43200, 45000)));

        var result = Backtest(High(90), null, Sensors, readings, At(0), At(86400));

        var rates = result.Proposed;
        Assert.Equal(4, rates.Alarms);
        Assert.Equal(4, rates.PerDay, 6);
        Assert.Equal(4.0 / 144, rates.AveragePer10Minutes, 6);
        Assert.Equal(3, rates.PeakPer10Minutes);
        Assert.Equal(TimeSpan.FromSeconds((60 + 60 + 20 + 1800) / 4.0), rates.MeanDuration);
        Assert.Equal(TimeSpan.FromMinutes(30), rates.LongestDuration);
        Assert.Equal(1940.0 / 86400, rates.ShareOfTimeActive, 6);
    }

    [Fact]
    public void Run_AlarmCyclingFast_FlaggedAndCountedAsChattering()
    {
        // Above and below the limit every 10 s: the engine flags the binding after three raises within a minute.
        var readings = Readings(1, 600, 10, t => t < 120 && t / 10 % 2 == 0 ? 95 : 80);

        var result = Backtest(High(90), null, Sensors, readings, At(0), At(600));

        Assert.True(result.Proposed.Chattering >= 1);
        Assert.Contains(result.Alarms, a => a.Chattering);
        Assert.Equal(result.Alarms.Count(a => a.Chattering), result.Proposed.Chattering);
    }

    [Fact]
    public void Run_WithSavedVersion_BothRunOverTheSameReadings()
    {
        var readings = Readings(1, 3600, 10, t => t is >= 600 and < 900 ? 95 : t is >= 1800 and < 1900 ? 88 : 80);

        var result = Backtest(High(90), High(85), Sensors, readings, At(0), At(3600));

        Assert.Equal(1, result.Proposed.Alarms);
        Assert.NotNull(result.Current);
        Assert.Equal(2, result.Current.Alarms);
        Assert.Equal(360, result.Readings);
    }

    [Fact]
    public void Run_ScopeOverSeveralSensors_AlarmsPerSourceAndOtherSensorsIgnored()
    {
        var rule = High(90, sensorKey: null);
        var readings = Readings(1, 1200, 10, Excursions((100, 200)))
            .Concat(Readings(2, 1200, 10, Excursions((500, 700))))
            .Concat(Readings(3, 1200, 10, _ => 200))
            .OrderBy(r => r.Timestamp).ThenBy(r => r.SensorId);

        var result = Backtest(rule, null, Sensors, readings, At(0), At(1200));

        Assert.Equal(2, result.Sources);
        Assert.Equal(240, result.Readings);
        Assert.Equal([(Press1, At(100)), (Press2, At(500))], result.Alarms.Select(a => (a.SourceKey, a.RaisedAt)));
        Assert.Equal(300.0 / (1200 * 2), result.Proposed.ShareOfTimeActive, 6);
    }

    [Fact]
    public void Run_ReadingsOutsideTheRange_Ignored()
    {
        var readings = Readings(1, 3600, 10, Excursions((100, 200), (2000, 2100)));

        var result = Backtest(High(90), null, Sensors, readings, At(1000), At(3000));

        Assert.Equal(200, result.Readings);
        Assert.Equal([At(2000)], result.Alarms.Select(a => a.RaisedAt));
    }

    [Fact]
    public void Run_WithProgress_ReportsRisingFractionsEndingAtOne()
    {
        var reports = new List<BacktestProgress>();
        var progress = new SynchronousProgress(reports.Add);

        var result = Backtest(High(90), null, Sensors, Readings(1, 86400, 10, Excursions((600, 900))), At(0), At(86400), progress: progress);

        Assert.True(reports.Count >= 50, $"only {reports.Count} reports");
        Assert.Equal(reports.Select(r => r.Fraction).Order(), reports.Select(r => r.Fraction));
        Assert.Equal(reports.Select(r => r.Readings).Order(), reports.Select(r => r.Readings));
        Assert.Equal(new BacktestProgress(1, result.Readings, 1), reports[^1]);
        Assert.Contains(reports, r => r.Fraction is > 0.4 and < 0.6);
    }

    [Fact]
    public void Run_Cancelled_StopsWithOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        var fed = 0;
        IEnumerable<BacktestReading> Cancelling()
        {
            foreach (var r in Readings(1, 86400, 1, _ => 80))
            {
                if (++fed == 10_000)
                {
                    cts.Cancel();
                }
                yield return r;
            }
        }

        Assert.Throws<OperationCanceledException>(() => Backtester.Run(High(90), null, Sensors, Cancelling(), At(0), At(86400), cancellationToken: cts.Token));
        Assert.True(fed < 20_000, $"went on for {fed} readings after the cancellation");
    }

    [Fact]
    public void Constructor_InvalidRule_ThrowsWithTheProblems()
    {
        var invalid = Rule("motor.high", new RuleScope(SensorKey: Press1), new LimitParameters { High = 15, Low = 10, Deadband = 6 });

        var e = Assert.Throws<RuleValidationException>(() => new Backtester(invalid, null, Sensors, At(0), At(10)));

        Assert.Equal("model.deadband", Assert.Single(e.Problems).Field);
    }

    [Fact]
    public void Constructor_RangeEndsBeforeItStarts_Throws() =>
        Assert.Throws<ArgumentException>(() => new Backtester(High(90), null, Sensors, At(10), At(0)));

    [Fact]
    public void Sensors_LimitRuleOnOneSensor_OnlyThatSensorIsRead()
    {
        var backtester = new Backtester(High(90), High(90, Press2), Sensors, At(0), At(10));

        Assert.Equal([1, 2], backtester.Sensors.Select(s => s.Id));
    }

    [Fact]
    public void Sensors_MultivariateRule_EveryMemberOfEachMatchingAsset()
    {
        var rule = Rule("press.health", new RuleScope(AssetType: AssetType.Machine),
            new MultivariateParameters { Metrics = [MetricKind.Temperature, MetricKind.VibrationRms] });

        var backtester = new Backtester(rule, null, Sensors, At(0), At(10));

        // Press 2 has no vibration sensor, so the rule does not bind to it.
        Assert.Equal([1, 3], backtester.Sensors.Select(s => s.Id));
    }

    /// <summary>Reports on the caller's thread, unlike <see cref="Progress{T}"/>, so the test sees every report at once.</summary>
    private sealed class SynchronousProgress(Action<BacktestProgress> report) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value) => report(value);
    }
}
