using System.Globalization;
using CityOps.Analytics;
using CityOps.Web.Features.Alerts;

namespace CityOps.Web.Features.Actions;

/// <summary>An actuator as the asset registry knows it.</summary>
public sealed record ActuatorInfo(string Key, string AssetKey, ActuatorKind Kind, string Unit, double Min, double Max, double CurrentValue);

/// <summary>One proposed action, with its predicted effect when a process model is available.</summary>
/// <param name="Note">Why the candidate falls short, or why it has no prediction.</param>
public sealed record Candidate(string ActuatorKey, double Value, string Unit, string Description, PredictedEffect? Effect, string? Note);

/// <summary>What a playbook works from: the alarm, the actuators of its asset and the asset's ancestors, and the model.</summary>
public sealed record PlaybookContext(AlarmView Alarm, IReadOnlyList<ActuatorInfo> Actuators, IWhatIf? Model, PlaybookLimits Limits, TimeSpan Horizon)
{
    public ActuatorInfo? Find(ActuatorKind kind) => Actuators.FirstOrDefault(a => a.Kind == kind);

    /// <summary>The alarm's own sensor if it ends with one of <paramref name="signals"/>, else the asset's first of them.</summary>
    public string SensorOf(params string[] signals) =>
        Alarm.SensorKey is { } own && signals.Any(s => own.EndsWith("." + s, StringComparison.Ordinal))
            ? own
            : $"{Alarm.AssetKey}.{signals[0]}";
}

/// <summary>A named way of responding to an alarm; rules list the keys of the playbooks they offer.</summary>
public interface IPlaybook
{
    string Key { get; }

    /// <summary>Candidate actions, the recommended one first; empty when the playbook does not fit the alarm's
    /// asset or the model predicts that no action is needed.</summary>
    IReadOnlyList<Candidate> Propose(PlaybookContext context);
}

/// <summary>Whether a lever keeps the process safe by lowering or by raising its actuator.</summary>
public enum LeverDirection { Lower, Raise }

/// <summary>
/// An actuator a playbook may move, and which way. Without a model the lever proposes <see cref="FallbackStep"/>
/// from the current value (and says it is not a prediction).
/// </summary>
public sealed record Lever(ActuatorInfo Actuator, LeverDirection Direction, double Resolution, double FallbackStep, string Verb, double? Bound = null)
{
    /// <summary>The furthest the lever may go: the actuator's range end, or a tighter playbook bound (e.g. a safety floor).</summary>
    public double End => Direction == LeverDirection.Lower
        ? Math.Max(Actuator.Min, Bound ?? double.NegativeInfinity)
        : Math.Min(Actuator.Max, Bound ?? double.PositiveInfinity);

    /// <summary>Whether there is any travel left in the lever's direction.</summary>
    public bool CanMoveFrom(double current) => Direction == LeverDirection.Lower ? End < current : End > current;

    public string Describe(double value) =>
        $"{Verb} to {value.ToString("0.#", CultureInfo.InvariantCulture)} {Actuator.Unit}";
}

/// <summary>
/// Playbooks that keep one sensor within one limit by moving actuators: for each lever the value closest to the
/// present setting that the model predicts keeps the sensor within the limit over the horizon, found by bisection
/// (the response is monotone in the setting: a slower line runs cooler, a wider valve gives more pressure).
/// </summary>
public abstract class LimitPlaybook : IPlaybook
{
    public abstract string Key { get; }

    /// <summary>The protected limit, or null when the playbook does not fit the alarm.</summary>
    protected abstract WatchedLimit? Watch(PlaybookContext context);

    /// <summary>The levers, primary first.</summary>
    protected abstract IEnumerable<Lever> Levers(PlaybookContext context);

    public IReadOnlyList<Candidate> Propose(PlaybookContext context)
    {
        var levers = Levers(context).ToList();
        if (levers.Count == 0 || Watch(context) is not { } limit)
        {
            return [];
        }
        if (context.Model is not { } model)
        {
            return [.. levers.Where(l => l.CanMoveFrom(l.Actuator.CurrentValue)).Select(l => Fallback(l, "No prediction available: there is no process model for this asset."))];
        }
        var baseline = model.Predict(limit.SensorKey, [], context.Horizon);
        if (baseline.Count == 0)
        {
            return [.. levers.Where(l => l.CanMoveFrom(l.Actuator.CurrentValue)).Select(l => Fallback(l, $"No prediction available: the process model does not simulate {limit.SensorKey}."))];
        }
        var without = PredictedRun.From(baseline, limit);
        if (without.StaysSafe)
        {
            return [];
        }
        var candidates = new List<Candidate>();
        for (var i = 0; i < levers.Count; i++)
        {
            var lever = levers[i];
            var current = model.Actuator(lever.Actuator.Key) ?? lever.Actuator.CurrentValue;
            if (!lever.CanMoveFrom(current))
            {
                continue;
            }
            var runs = new Dictionary<double, PredictedRun>();
            PredictedRun Run(double v)
            {
                if (!runs.TryGetValue(v, out var run))
                {
                    run = PredictedRun.From(model.Predict(limit.SensorKey, [new ActuatorSetting(lever.Actuator.Key, v)], context.Horizon), limit);
                    runs[v] = run;
                }
                return run;
            }
            var chosen = lever.Direction == LeverDirection.Lower
                ? ValueSearch.Highest(lever.End, current, lever.Resolution, v => Run(v).StaysSafe)
                : ValueSearch.Lowest(current, lever.End, lever.Resolution, v => Run(v).StaysSafe);
            var value = chosen ?? lever.End;
            if (value == current || Run(value).Extreme == without.Extreme)
            {
                continue;
            }
            var note = chosen is null ? $"Even at {lever.End.ToString("0.#", CultureInfo.InvariantCulture)} {lever.Actuator.Unit} the {limit.Quantity} is predicted to violate the limit; this is the best this lever can do." : null;
            candidates.Add(Make(lever, value, Run(value), note));
            // The primary lever's full travel is shown too, so the operator sees what more margin would cost.
            if (i == 0 && chosen is not null && lever.End != value)
            {
                candidates.Add(Make(lever, lever.End, Run(lever.End), "More margin than the limit needs."));
            }
        }
        // Recommended first: candidates predicted to keep the limit before those that only help (stable order otherwise).
        return [.. candidates.OrderBy(c => c.Effect!.With.StaysSafe ? 0 : 1)];

        Candidate Make(Lever lever, double value, PredictedRun with, string? note) =>
            new(lever.Actuator.Key, value, lever.Actuator.Unit, lever.Describe(value),
                PredictedEffect.Compute(limit, model.Now, context.Horizon, without, with), note);
    }

    private static Candidate Fallback(Lever lever, string note)
    {
        var current = lever.Actuator.CurrentValue;
        var value = lever.Direction == LeverDirection.Lower
            ? Math.Max(lever.End, current - lever.FallbackStep)
            : Math.Min(lever.End, current + lever.FallbackStep);
        return new Candidate(lever.Actuator.Key, value, lever.Actuator.Unit, lever.Describe(value), null,
            $"{note} The value is a fixed step of {lever.FallbackStep.ToString(CultureInfo.InvariantCulture)} {lever.Actuator.Unit}.");
    }
}

/// <summary>Bisection over a grid of settings for a monotone yes/no property.</summary>
public static class ValueSearch
{
    /// <summary>
    /// The highest value of the grid from, from + step, … (and <paramref name="to"/> itself) in [from, to] for which
    /// <paramref name="ok"/> holds, given that it holds for every value below one for which it holds; null if none.
    /// </summary>
    public static double? Highest(double from, double to, double step, Func<double, bool> ok)
    {
        var grid = Grid(from, to, step);
        if (!ok(grid[0]))
        {
            return null;
        }
        if (ok(grid[^1]))
        {
            return grid[^1];
        }
        int good = 0, bad = grid.Length - 1;
        while (bad - good > 1)
        {
            var mid = (good + bad) / 2;
            if (ok(grid[mid]))
            {
                good = mid;
            }
            else
            {
                bad = mid;
            }
        }
        return grid[good];
    }

    /// <summary>The lowest grid value in [from, to] for which <paramref name="ok"/> holds, given that it holds above any value where it holds.</summary>
    public static double? Lowest(double from, double to, double step, Func<double, bool> ok)
    {
        var grid = Grid(from, to, step);
        if (!ok(grid[^1]))
        {
            return null;
        }
        if (ok(grid[0]))
        {
            return grid[0];
        }
        int bad = 0, good = grid.Length - 1;
        while (good - bad > 1)
        {
            var mid = (good + bad) / 2;
            if (ok(grid[mid]))
            {
                good = mid;
            }
            else
            {
                bad = mid;
            }
        }
        return grid[good];
    }

    private static double[] Grid(double from, double to, double step)
    {
        if (!(step > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be positive.");
        }
        if (to < from)
        {
            return [from];
        }
        var n = (int)Math.Floor((to - from) / step + 1e-9);
        var grid = new List<double>(n + 2);
        for (var i = 0; i <= n; i++)
        {
            grid.Add(Math.Round(from + i * step, 6));
        }
        if (grid[^1] < to - 1e-9)
        {
            grid.Add(to);
        }
        return [.. grid];
    }
}

/// <summary>Machine overheating or bearing wear: slow the line (and, as the alternative, cool harder) until the motor stays under its limit.</summary>
public sealed class ReduceLineSpeedPlaybook : LimitPlaybook
{
    public const string PlaybookKey = "line.reduce_speed";

    public override string Key => PlaybookKey;

    protected override WatchedLimit? Watch(PlaybookContext c) =>
        new(c.SensorOf("motor_temp"), "motor temperature", "°C", LimitKind.High, c.Limits.MotorTemperatureHigh, c.Limits.MotorTemperatureSigma);

    protected override IEnumerable<Lever> Levers(PlaybookContext c)
    {
        if (c.Find(ActuatorKind.LineSpeed) is not { } speed)
        {
            yield break;
        }
        yield return new Lever(speed, LeverDirection.Lower, 1, 10, "Reduce line speed");
        if (c.Find(ActuatorKind.Setpoint) is { } coolant)
        {
            yield return new Lever(coolant, LeverDirection.Lower, 0.5, 4, "Lower the coolant setpoint");
        }
    }
}

/// <summary>Low pressure in a water zone: open the bypass from the second main just enough (the booster pump is the alternative).</summary>
public sealed class OpenBypassPlaybook : LimitPlaybook
{
    public const string PlaybookKey = "water.open_bypass";

    public override string Key => PlaybookKey;

    protected override WatchedLimit? Watch(PlaybookContext c) => WaterPressure.Watch(c);

    protected override IEnumerable<Lever> Levers(PlaybookContext c)
    {
        if (c.Find(ActuatorKind.Valve) is not { } valve)
        {
            yield break;
        }
        yield return WaterPressure.Bypass(valve);
        if (c.Find(ActuatorKind.Pump) is { } pump)
        {
            yield return WaterPressure.Pump(pump);
        }
    }
}

/// <summary>Low pressure or a leak in a pumped water zone: raise the booster pump just enough (the bypass is the alternative).</summary>
public sealed class SwitchPumpPlaybook : LimitPlaybook
{
    public const string PlaybookKey = "water.switch_pump";

    public override string Key => PlaybookKey;

    protected override WatchedLimit? Watch(PlaybookContext c) => WaterPressure.Watch(c);

    protected override IEnumerable<Lever> Levers(PlaybookContext c)
    {
        if (c.Find(ActuatorKind.Pump) is not { } pump)
        {
            yield break;
        }
        yield return WaterPressure.Pump(pump);
        if (c.Find(ActuatorKind.Valve) is { } valve)
        {
            yield return WaterPressure.Bypass(valve);
        }
    }
}

internal static class WaterPressure
{
    public static WatchedLimit Watch(PlaybookContext c) =>
        new(c.SensorOf("pressure_cp", "pressure_inlet"), "pressure", "bar", LimitKind.Low, c.Limits.ZonePressureLow, c.Limits.ZonePressureSigma);

    public static Lever Bypass(ActuatorInfo valve) => new(valve, LeverDirection.Raise, 1, 25, "Open the bypass valve");

    public static Lever Pump(ActuatorInfo pump) => new(pump, LeverDirection.Raise, 1, 10, "Raise the booster pump");
}

/// <summary>Congestion at an intersection: lengthen the main approach's green just enough to keep occupancy under the limit.</summary>
public sealed class ExtendGreenPlaybook : LimitPlaybook
{
    public const string PlaybookKey = "traffic.extend_green";

    public override string Key => PlaybookKey;

    protected override WatchedLimit? Watch(PlaybookContext c) =>
        new(c.SensorOf("occupancy"), "detector occupancy", "%", LimitKind.High, c.Limits.OccupancyHigh, c.Limits.OccupancySigma);

    protected override IEnumerable<Lever> Levers(PlaybookContext c)
    {
        if (c.Find(ActuatorKind.SignalTiming) is { } green)
        {
            yield return new Lever(green, LeverDirection.Raise, 1, 10, "Extend the main green");
        }
    }
}

/// <summary>
/// Energy high on a lighting circuit: dim to the brightest level that saves the configured share of the predicted
/// peak power, never below the road-safety floor.
/// </summary>
public sealed class DimLightingPlaybook : LimitPlaybook
{
    public const string PlaybookKey = "lighting.dim";

    public override string Key => PlaybookKey;

    protected override WatchedLimit? Watch(PlaybookContext c)
    {
        var sensor = c.SensorOf("power");
        // The target is relative to what the circuit is predicted to draw, so it adapts to each circuit's rating.
        double peak;
        if (c.Model is { } model)
        {
            var baseline = model.Predict(sensor, [], c.Horizon);
            if (baseline.Count == 0)
            {
                return new WatchedLimit(sensor, "lighting power", "kW", LimitKind.High, 0, c.Limits.LightingPowerSigma);
            }
            peak = baseline.Values.Max();
        }
        else
        {
            peak = c.Alarm.Value ?? 0;
        }
        return new WatchedLimit(sensor, "lighting power", "kW", LimitKind.High, Math.Round(peak * (1 - c.Limits.LightingSaving), 2), c.Limits.LightingPowerSigma);
    }

    protected override IEnumerable<Lever> Levers(PlaybookContext c)
    {
        if (c.Find(ActuatorKind.LightingLevel) is { } level)
        {
            yield return new Lever(level, LeverDirection.Lower, 1, 20, "Dim the street lighting", c.Limits.LightingLevelFloor);
        }
    }
}
