using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Alerts;

/// <summary>A real <see cref="AlarmBoard"/> on a test clock, filled the way the alert engine fills it.</summary>
public sealed class AlarmTestBoard
{
    private readonly FloodMonitor _floods = new(10, TimeSpan.FromMinutes(10));
    private long _nextId = 1;

    public AlarmTestBoard(FakeTimeProvider clock)
    {
        Clock = clock;
        Board = new AlarmBoard(clock, Options.Create(new LiveOptions()), NullLogger<AlarmBoard>.Instance);
        Board.SetAssetParents(new Dictionary<string, string?> { ["tplant.line1.press"] = "tplant.line1", ["tplant.line1.pump"] = "tplant.line1", ["tplant.line1"] = null });
    }

    public FakeTimeProvider Clock { get; }

    public AlarmBoard Board { get; }

    /// <summary>Puts the alarm on the board, then lets the subscriptions' throttle interval pass so the next change is delivered too.</summary>
    public AlarmView Apply(AlarmView alarm)
    {
        if (Board.Get(alarm.Id) is null && alarm.State != AlarmState.Normal)
        {
            // The engine counts every new alarm towards its area's flood window and publishes the result.
            _floods.Record(alarm.Area, alarm.RaisedAt);
            Board.PublishFloods(_floods.Areas);
        }
        Board.Apply([alarm]);
        Clock.Advance(TimeSpan.FromSeconds(1));
        return alarm;
    }

    /// <summary>A new alarm raised <paramref name="ageMinutes"/> before now, active and unacknowledged unless told otherwise.</summary>
    public AlarmView Raise(
        AlarmPriority priority,
        string message = "Motor temperature high",
        double ageMinutes = 1,
        AlarmState state = AlarmState.ActiveUnacknowledged,
        string site = "tplant",
        string area = "Line 1",
        string asset = "tplant.line1.press",
        string? sensor = "tplant.line1.press.motor_temp",
        DateTime? shelvedUntil = null,
        bool chattering = false) =>
        Apply(Alarm(_nextId++, priority, message, Clock.GetUtcNow().UtcDateTime.AddMinutes(-ageMinutes), state, site, area, asset, sensor, shelvedUntil, chattering));

    public static AlarmView Alarm(
        long id, AlarmPriority priority, string message, DateTime raisedAt, AlarmState state = AlarmState.ActiveUnacknowledged,
        string site = "tplant", string area = "Line 1", string asset = "tplant.line1.press", string? sensor = "tplant.line1.press.motor_temp",
        DateTime? shelvedUntil = null, bool chattering = false) =>
        new(id, "plant.motor_temp.high", 1, "Motor temperature high", priority, state, state != AlarmState.ReturnedUnacknowledged,
            site, area, asset, sensor, sensor ?? asset, message, null, 92.4, "°C", 1, raisedAt, null,
            state == AlarmState.ActiveAcknowledged ? raisedAt.AddSeconds(30) : null, state == AlarmState.ActiveAcknowledged ? "operator@cityops.local" : null,
            shelvedUntil, chattering, null);
}
