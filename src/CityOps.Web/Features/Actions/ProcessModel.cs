using CityOps.Simulator;
using CityOps.Web.Features.Demo;

namespace CityOps.Web.Features.Actions;

/// <summary>An actuator set to a value from the start of a prediction on.</summary>
public sealed record ActuatorSetting(string ActuatorKey, double Value);

/// <summary>Predicted readings of one sensor, oldest first (UTC).</summary>
public sealed record PredictedSeries(DateTime[] Times, double[] Values)
{
    public int Count => Times.Length;
}

/// <summary>
/// A model that can predict how the process responds to actuator changes. Deployments without one get no
/// predictions (and say so) rather than invented numbers.
/// </summary>
public interface IProcessModel
{
    /// <summary>A what-if sandbox frozen at the process's present state, or null when no model is available.</summary>
    IWhatIf? Begin();
}

/// <summary>Predictions from one frozen present state: every call starts from the same state, so results compare.</summary>
public interface IWhatIf
{
    DateTime Now { get; }

    /// <summary>The actuator's value in the model, or null if the model does not know it.</summary>
    double? Actuator(string actuatorKey);

    /// <summary>
    /// Readings of <paramref name="sensorKey"/> predicted over (Now, Now + horizon] with <paramref name="settings"/>
    /// applied at Now; empty when the model does not simulate that sensor.
    /// </summary>
    PredictedSeries Predict(string sensorKey, IReadOnlyList<ActuatorSetting> settings, TimeSpan horizon);
}

/// <summary>No process model: suggestions carry no prediction.</summary>
internal sealed class NoProcessModel : IProcessModel
{
    public IWhatIf? Begin() => null;
}

/// <summary>Demo mode: predictions come from clones of the running digital twin.</summary>
internal sealed class DemoTwinProcessModel(DemoTwinHost host) : IProcessModel
{
    public IWhatIf? Begin() => host.IsRunning ? new TwinWhatIf(host.Use(t => t.Clone())) : null;
}

/// <summary>
/// Runs clones of a twin forward. The clones share the original's randomness (noise and scheduled faults are
/// the same in every run), so the difference between two predictions is caused by the actuator settings alone.
/// </summary>
public sealed class TwinWhatIf(Twin present) : IWhatIf
{
    /// <summary>Predictions may observe sensors up to six times less often than they report (the physics is
    /// unchanged), so a 30-minute look-ahead of the whole world stays cheap enough for a search of a dozen runs.</summary>
    private const double MaxThinning = 6;

    /// <summary>The watched sensor keeps at least this many predicted points over the horizon.</summary>
    private const double MinPoints = 60;

    public DateTime Now => present.Now.UtcDateTime;

    public double? Actuator(string actuatorKey)
    {
        try
        {
            return present.GetActuator(actuatorKey);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public PredictedSeries Predict(string sensorKey, IReadOnlyList<ActuatorSetting> settings, TimeSpan horizon)
    {
        var twin = present.Clone();
        var interval = present.World.Sensors.FirstOrDefault(s => s.Key == sensorKey)?.IntervalSeconds ?? 1;
        twin.SamplingScale = Math.Clamp(horizon.TotalSeconds / (MinPoints * interval), 1, MaxThinning);
        foreach (var s in settings)
        {
            twin.SetActuator(s.ActuatorKey, s.Value);
        }
        var times = new List<DateTime>();
        var values = new List<double>();
        foreach (var r in twin.AdvanceTo(present.Now + horizon))
        {
            if (r.SensorKey == sensorKey)
            {
                times.Add(r.Timestamp.UtcDateTime);
                values.Add(r.Value);
            }
        }
        return new PredictedSeries([.. times], [.. values]);
    }
}
