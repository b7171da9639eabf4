using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Simulator;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Alerts;
using static CityOps.Tests.Simulator.SimTestKit;

namespace CityOps.Tests.Actions;

public sealed class PlaybookTests
{
    private static readonly CityOps.Simulator.World.WorldDefinition World = DemoWorld.Create();
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(30);
    private const string Machine = "plant1.line1.press1";
    private const string MotorTemp = Machine + ".motor_temp";

    [Fact]
    public void Propose_MotorHeadingOverLimit_ChoosesTheHighestSpeedThatKeepsThePredictedPeakUnderTheLimit()
    {
        var model = WearingMotor(out var limits);

        var candidates = new ReduceLineSpeedPlaybook().Propose(Context(Machine, MotorTemp, model, limits));

        var best = candidates[0];
        Assert.Equal("plant1.line1.speed", best.ActuatorKey);
        Assert.NotNull(best.Effect);
        Assert.True(best.Effect.With.StaysSafe, best.Effect.Summary);
        Assert.NotNull(best.Effect.Without.CrossesAt);
        Assert.True(Peak(model, best.Value) < limits.MotorTemperatureHigh);
        // One step faster would cross: the chosen speed is the highest that keeps the limit.
        Assert.True(Peak(model, best.Value + 1) >= limits.MotorTemperatureHigh, $"{best.Value + 1} % also keeps the limit");
        Assert.InRange(best.Value, 50, 99);
    }

    [Fact]
    public void Propose_MotorHeadingOverLimit_OffersTheCoolantSetpointAsAnAlternativeWithItsOwnPrediction()
    {
        var model = WearingMotor(out var limits);

        var candidates = new ReduceLineSpeedPlaybook().Propose(Context(Machine, MotorTemp, model, limits));

        var coolant = Assert.Single(candidates, c => c.ActuatorKey == "plant1.line1.coolant");
        Assert.NotNull(coolant.Effect);
        Assert.True(coolant.Value < 22);
        Assert.Contains(candidates, c => c.ActuatorKey == "plant1.line1.speed" && c.Value == 50 && c.Note is not null);
    }

    [Fact]
    public void Propose_ProcessWithinLimit_SuggestsNothing()
    {
        var model = new TwinWhatIf(new Twin(World, 5, Tuesday(9)));
        var limits = new PlaybookLimits { MotorTemperatureHigh = 140 };

        Assert.Empty(new ReduceLineSpeedPlaybook().Propose(Context(Machine, MotorTemp, model, limits)));
    }

    [Fact]
    public void Propose_NoProcessModel_ProposesAFixedStepAndSaysNoPredictionIsAvailable()
    {
        var candidates = new ReduceLineSpeedPlaybook().Propose(Context(Machine, MotorTemp, null, new PlaybookLimits()));

        var best = candidates[0];
        Assert.Equal(90, best.Value);
        Assert.Null(best.Effect);
        Assert.StartsWith("No prediction available", best.Note);
    }

    [Fact]
    public void Propose_LeakInWaterZone_OpensTheBypassJustEnoughToKeepTheMinimumPressure()
    {
        var twin = new Twin(World, 32, Tuesday(18));
        twin.InjectFault(new FaultSpec(FaultKind.Leak, "city.eastfield.wz", TimeSpan.FromHours(2)));
        History(twin, Tuesday(18.25), TimeSpan.FromSeconds(10));
        var model = new TwinWhatIf(twin);
        const string sensor = "city.eastfield.wz.pressure_cp";
        var trough = model.Predict(sensor, [], Horizon).Values.Min();
        var limits = new PlaybookLimits { ZonePressureLow = trough + 0.2 };

        var candidates = new OpenBypassPlaybook().Propose(Context("city.eastfield.wz", sensor, model, limits));

        var best = candidates[0];
        Assert.Equal("city.eastfield.wz.bypass", best.ActuatorKey);
        Assert.True(best.Effect!.With.StaysSafe);
        Assert.True(model.Predict(sensor, [new ActuatorSetting(best.ActuatorKey, best.Value - 1)], Horizon).Values.Min() <= limits.ZonePressureLow,
            "one percent less opening would also have kept the pressure");
    }

    [Fact]
    public void Propose_ZoneWithoutPump_SwitchPumpDoesNotApply()
    {
        var context = Context("city.old_harbour.wz", "city.old_harbour.wz.pressure_cp", null, new PlaybookLimits());

        Assert.Empty(new SwitchPumpPlaybook().Propose(context));
        Assert.NotEmpty(new OpenBypassPlaybook().Propose(context));
    }

    [Fact]
    public void Highest_MonotoneProperty_ReturnsTheLastGridValueWhereItHolds()
    {
        var evaluated = new List<double>();

        var best = ValueSearch.Highest(50, 100, 1, v =>
        {
            evaluated.Add(v);
            return v <= 73.4;
        });

        Assert.Equal(73, best);
        Assert.True(evaluated.Count <= 9, $"{evaluated.Count} evaluations for 51 grid points");
        Assert.Null(ValueSearch.Highest(50, 100, 1, _ => false));
        Assert.Equal(100, ValueSearch.Highest(50, 100, 1, _ => true));
    }

    [Fact]
    public void Lowest_MonotoneProperty_ReturnsTheFirstGridValueWhereItHolds()
    {
        Assert.Equal(38, ValueSearch.Lowest(30, 75, 1, v => v >= 37.2));
        Assert.Equal(75, ValueSearch.Lowest(30, 75, 2, v => v >= 74.5));
        Assert.Null(ValueSearch.Lowest(30, 75, 1, _ => false));
    }

    [Fact]
    public void Summary_LimitCrossedOnlyWithoutTheAction_SaysBothOutcomes()
    {
        var from = new DateTime(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);
        var limit = new WatchedLimit(MotorTemp, "motor temperature", "°C", LimitKind.High, 90, 2);
        var without = PredictedRun.From(new PredictedSeries([from.AddMinutes(5), from.AddMinutes(7), from.AddMinutes(20)], [85, 91, 96]), limit);
        var with = PredictedRun.From(new PredictedSeries([from.AddMinutes(5), from.AddMinutes(12), from.AddMinutes(20)], [80, 82, 79]), limit);

        var effect = PredictedEffect.Compute(limit, from, Horizon, without, with);

        Assert.Equal("With the action, motor temperature peaks at 82 °C in 12 min instead of crossing 90 °C in 7 min.", effect.Summary);
        // Margin 8 °C with σ = 2 °C: Φ(4).
        Assert.Equal(0.99997, effect.Confidence, 4);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.8413)]
    [InlineData(-1, 0.1587)]
    [InlineData(2, 0.9772)]
    public void NormalCdf_KnownPoints_MatchTheTable(double z, double expected) =>
        Assert.Equal(expected, PredictedEffect.NormalCdf(z), 4);

    /// <summary>A worn bearing starting now on a running press, with the limit half-way between now and the predicted peak.</summary>
    private static TwinWhatIf WearingMotor(out PlaybookLimits limits)
    {
        var twin = new Twin(World, 31, Tuesday(9));
        twin.InjectFault(new FaultSpec(FaultKind.BearingWear, Machine, Horizon, Magnitude: 1));
        var model = new TwinWhatIf(twin);
        var baseline = model.Predict(MotorTemp, [], Horizon);
        limits = new PlaybookLimits { MotorTemperatureHigh = Math.Round((baseline.Values[0] + baseline.Values.Max()) / 2, 1) };
        return model;
    }

    private static double Peak(IWhatIf model, double speed) =>
        model.Predict(MotorTemp, [new ActuatorSetting("plant1.line1.speed", speed)], Horizon).Values.Max();

    private static PlaybookContext Context(string assetKey, string sensorKey, IWhatIf? model, PlaybookLimits limits)
    {
        var alarm = Alarm(assetKey, sensorKey, AlarmPriority.High);
        // The asset's own actuators and its ancestors' (a machine's line), as the registry resolves them.
        var actuators = World.Actuators
            .Where(a => assetKey == a.AssetKey || assetKey.StartsWith(a.AssetKey + ".", StringComparison.Ordinal))
            .Select(a => new ActuatorInfo(a.Key, a.AssetKey, a.Kind, a.Unit, a.Min, a.Max, a.Initial))
            .ToList();
        return new PlaybookContext(alarm, actuators, model, limits, Horizon);
    }

    internal static AlarmView Alarm(string assetKey, string sensorKey, AlarmPriority priority, long id = 1) => new(
        id, "test.rule", 1, "Test rule", priority, AlarmState.ActiveUnacknowledged, true, assetKey.Split('.')[0], "area", assetKey,
        sensorKey, sensorKey, "test alarm", null, 1, null, 0.9, new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc), null, null, null,
        null, false, null);
}
