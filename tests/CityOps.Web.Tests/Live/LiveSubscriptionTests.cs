using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Live;

/// <summary>Subscriptions by sensor set and by asset: only relevant readings, coalesced per interval.</summary>
public class LiveSubscriptionTests
{
    private static readonly TimeSpan Interval = new LiveOptions().NotifyInterval;
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new FakeSensorLookup().Add(1, siteId: 1).Add(2, siteId: 1).Add(3, siteId: 2);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private LiveStore Store() =>
        new(_sensors, Options.Create(new LiveOptions()), _clock, NullLogger<LiveStore>.Instance, new FakeAssetTree().Child(100, 1));

    [Fact]
    public void SubscribeSensors_ReadingsOfOtherSensors_NoCallback()
    {
        var store = Store();
        var calls = 0;
        using var _ = store.SubscribeSensors([1], () => calls++);

        store.OnCommitted([new(2, Now, 1), new(3, Now, 1)]);
        _clock.Advance(Interval * 2);

        Assert.Equal(0, calls);
    }

    [Fact]
    public void SubscribeSensors_ManyReadingsWithinInterval_OneCallNowAndOneTrailing()
    {
        var store = Store();
        var calls = 0;
        using var _ = store.SubscribeSensors([1, 3], () => calls++);

        for (var i = 0; i < 100; i++)
        {
            store.OnCommitted([new(i % 2 == 0 ? 1 : 3, Now, i)]);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        Assert.Equal(1, calls);

        _clock.Advance(Interval);
        Assert.Equal(2, calls);
        _clock.Advance(Interval * 10);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void SubscribeSensors_Disposed_NoFurtherCalls()
    {
        var store = Store();
        var calls = 0;
        var subscription = store.SubscribeSensors([1], () => calls++);
        store.OnCommitted([new(1, Now, 1)]);

        subscription.Dispose();
        _clock.Advance(Interval * 2);
        store.OnCommitted([new(1, Now, 2)]);
        _clock.Advance(Interval * 2);

        Assert.Equal(1, calls);
    }

    [Fact]
    public void SubscribeAsset_ReadingOfSensorBelowIt_CallsBack_OtherAssetDoesNot()
    {
        var store = Store();
        var parentCalls = 0;
        var otherCalls = 0;
        using var parent = store.SubscribeAsset(1, () => parentCalls++);
        using var other = store.SubscribeAsset(200, () => otherCalls++);

        store.OnCommitted([new(1, Now, 1)]);

        Assert.Equal(1, parentCalls);
        Assert.Equal(0, otherCalls);
    }

    [Fact]
    public void CheckStates_SensorGoesStaleWithoutReadings_SubscriberIsToldOnce()
    {
        var store = Store();
        var calls = 0;
        using var _ = store.SubscribeSensors([1], () => calls++);
        store.OnCommitted([new(1, Now, 20)]);
        store.CheckStates();
        _clock.Advance(Interval * 2);
        var afterReading = calls;

        _clock.Advance(TimeSpan.FromSeconds(20));
        store.CheckStates();
        _clock.Advance(Interval * 2);
        store.CheckStates();
        _clock.Advance(Interval * 2);

        Assert.Equal(LiveState.Stale, store.GetSensor(1)!.State);
        Assert.Equal(afterReading + 1, calls);
    }
}
