using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Live;

/// <summary>The store's windows and history as screens read them.</summary>
public class LiveWindowsTests
{
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new FakeSensorLookup().Add(1, siteId: 1, intervalSeconds: 1);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    [Fact]
    public void GetSensor_ReadingsAcrossSecondsMinutesAndQuarters_EachSizeHasItsCurrentAndLastWindow()
    {
        var store = LiveStoreFactory.Create(_sensors, _clock);
        var start = Now;
        store.OnCommitted([new(1, start.AddMinutes(14).AddSeconds(59.5), 10)]);
        store.OnCommitted([new(1, start.AddMinutes(15).AddSeconds(0.2), 20), new(1, start.AddMinutes(15).AddSeconds(0.7), 30)]);
        _clock.Advance(TimeSpan.FromMinutes(15).Add(TimeSpan.FromSeconds(0.8)));

        var s = store.GetSensor(1)!;

        Assert.Equal(start.AddMinutes(15), s.Current1s!.Value.Start);
        Assert.Equal(2, s.Current1s.Value.Count);
        Assert.Equal(25, s.Current1s.Value.Mean, precision: 9);
        Assert.Equal(start.AddMinutes(14).AddSeconds(59), s.Last1s!.Value.Start);
        Assert.Equal(start.AddMinutes(15), s.Current1m!.Value.Start);
        Assert.Equal(start.AddMinutes(14), s.Last1m!.Value.Start);
        Assert.Equal(start.AddMinutes(15), s.Current15m!.Value.Start);
        Assert.Equal(start, s.Last15m!.Value.Start);
        Assert.Equal(10, s.Last15m.Value.Last);
    }

    [Fact]
    public void GetSensor_ClockPassesTheSecond_CurrentWindowBecomesLast()
    {
        var store = LiveStoreFactory.Create(_sensors, _clock);
        store.OnCommitted([new(1, Now.AddMilliseconds(100), 5)]);

        _clock.Advance(TimeSpan.FromSeconds(1.5));
        var s = store.GetSensor(1)!;

        Assert.Null(s.Current1s);
        Assert.Equal(5, s.Last1s!.Value.Last);
        Assert.NotNull(s.Current1m);
    }

    [Fact]
    public void GetSensor_LateReadingForLastClosedSecond_UpdatesIt_OlderOnlyReachesTheMinute()
    {
        var store = LiveStoreFactory.Create(_sensors, _clock);
        var t = Now;
        store.OnCommitted([new(1, t.AddSeconds(5.5), 1), new(1, t.AddSeconds(6.5), 2)]);

        store.OnCommitted([new(1, t.AddSeconds(5.9), 9), new(1, t.AddSeconds(2.5), 100)]);

        var s = store.GetSensor(1)!;
        Assert.Equal(2, s.Last1s!.Value.Count);
        Assert.Equal(9, s.Last1s.Value.Max);
        Assert.Equal(1, s.Current1s!.Value.Count);
        Assert.Equal(4, s.Current1m!.Value.Count);
        Assert.Equal(100, s.Current1m.Value.Max);
        Assert.Equal(2, s.LastValue);
    }

    [Fact]
    public void GetHistory_MinutesOfReadings_BoundedPointsOldestFirst()
    {
        var store = LiveStoreFactory.Create(_sensors, _clock, new LiveOptions { HistoryPoints = 12, HistoryResolution = TimeSpan.FromSeconds(5) });
        for (var i = 0; i < 120; i++)
        {
            store.OnCommitted([new(1, Now, i)]);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        var history = store.GetHistory(1);

        Assert.Equal(12, history.Count);
        Assert.Equal(119, history[^1].Value);
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.Ts < p.Second.Ts));
    }

    [Fact]
    public void GetHistory_SensorSilentLongerThanTheHistory_IsEmpty()
    {
        var store = LiveStoreFactory.Create(_sensors, _clock);
        store.OnCommitted([new(1, Now, 1)]);

        _clock.Advance(TimeSpan.FromMinutes(16));

        Assert.Empty(store.GetHistory(1));
    }

    [Fact]
    public void TakeChangedSensors_AfterReadings_ReturnsEachChangedSensorOnce()
    {
        _sensors.Add(2, siteId: 1).Add(3, siteId: 1);
        var store = LiveStoreFactory.Create(_sensors, _clock);
        store.OnCommitted([new(1, Now, 1), new(2, Now, 1), new(1, Now, 2)]);
        var changed = new List<int>();

        store.TakeChangedSensors(changed);
        var again = new List<int>();
        store.TakeChangedSensors(again);

        Assert.Equal([1, 2], changed.Order());
        Assert.Empty(again);
    }
}
