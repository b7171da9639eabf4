using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Live;

public class LiveStoreTests
{
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new();

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private LiveStore Store(LiveOptions? options = null) => LiveStoreFactory.Create(_sensors, _clock, options);

    [Fact]
    public void OnCommitted_ReadingsInOneMinute_WindowHoldsCountMinMaxMeanAndLast()
    {
        _sensors.Add(1, siteId: 1);
        var store = Store();
        var minute = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

        store.OnCommitted([new(1, minute.AddSeconds(5), 10), new(1, minute.AddSeconds(15), 30), new(1, minute.AddSeconds(25), 20)]);

        var live = store.GetSensor(1)!;
        Assert.Equal(20, live.LastValue);
        Assert.Equal(minute.AddSeconds(25), live.LastTs);
        var window = live.Current1m!.Value;
        Assert.Equal(minute, window.Start);
        Assert.Equal(3, window.Count);
        Assert.Equal(10, window.Min);
        Assert.Equal(30, window.Max);
        Assert.Equal(20, window.Mean, precision: 9);
        Assert.Equal(20, window.Last);
        Assert.Equal(minute.AddSeconds(25), window.LastTs);
    }

    [Fact]
    public void OnCommitted_ReadingOfNextMinute_StartsAFreshWindow()
    {
        _sensors.Add(1, siteId: 1);
        var store = Store();
        var minute = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);
        store.OnCommitted([new(1, minute.AddSeconds(50), 100), new(1, minute.AddSeconds(55), 200)]);

        store.OnCommitted([new(1, minute.AddSeconds(61), 7)]);

        var live = store.GetSensor(1)!;
        Assert.Equal(minute.AddMinutes(1), live.Current1m!.Value.Start);
        Assert.Equal(1, live.Current1m.Value.Count);
        Assert.Equal(7, live.Current1m.Value.Max);
        Assert.Equal(minute, live.Last1m!.Value.Start);
        Assert.Equal(2, live.Last1m.Value.Count);
    }

    [Fact]
    public void OnCommitted_LateReading_KeepsNewestValueAndCurrentWindow()
    {
        _sensors.Add(1, siteId: 1);
        var store = Store();
        var minute = new DateTime(2026, 11, 27, 12, 1, 0, DateTimeKind.Utc);
        store.OnCommitted([new(1, minute.AddSeconds(10), 5)]);

        store.OnCommitted([new(1, minute.AddSeconds(-30), 999)]);

        var live = store.GetSensor(1)!;
        Assert.Equal(5, live.LastValue);
        Assert.Equal(1, live.Current1m!.Value.Count);
        Assert.Equal(5, live.Current1m.Value.Max);
        Assert.Null(live.Last1m);
    }

    [Fact]
    public void GetSiteStatuses_ReadingsOverLastTenSeconds_ReportsMeanPerSecondPerSite()
    {
        _sensors.Add(1, siteId: 1).Add(2, siteId: 2);
        var store = Store();
        for (var second = 0; second < 10; second++)
        {
            store.OnCommitted(Enumerable.Range(0, 30).Select(_ => new CommittedReading(1, Now, 1)).ToList());
            store.OnCommitted([new(2, Now, 1)]);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        var statuses = store.GetSiteStatuses();

        Assert.Equal(30, statuses[1].ReadingsPerSecond, precision: 6);
        Assert.Equal(1, statuses[2].ReadingsPerSecond, precision: 6);
    }

    [Fact]
    public void GetSiteStatuses_NoReadingsForLongerThanWindow_RateFallsToZero()
    {
        _sensors.Add(1, siteId: 1);
        var store = Store();
        store.OnCommitted(Enumerable.Range(0, 50).Select(_ => new CommittedReading(1, Now, 1)).ToList());
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(5, store.GetSiteStatuses()[1].ReadingsPerSecond, precision: 6);

        _clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(0, store.GetSiteStatuses()[1].ReadingsPerSecond);
    }

    [Fact]
    public void GetSiteStatuses_SensorSilentForThreeIntervals_NoLongerCountsAsReporting()
    {
        _sensors.Add(1, siteId: 1, intervalSeconds: 5).Add(2, siteId: 1, intervalSeconds: 60).Add(3, siteId: 1, intervalSeconds: 5);
        var store = Store();
        store.OnCommitted([new(1, Now, 1), new(2, Now, 1)]);

        _clock.Advance(TimeSpan.FromSeconds(14));
        var fresh = store.GetSiteStatuses()[1];
        _clock.Advance(TimeSpan.FromSeconds(2));
        var later = store.GetSiteStatuses()[1];

        Assert.Equal(3, fresh.SensorsTotal);
        Assert.Equal(2, fresh.SensorsReporting);
        Assert.Equal(1, later.SensorsReporting);
        Assert.Equal(2, later.SensorsSilent);
    }

    [Fact]
    public void GetSiteStatuses_ClockMoves_LastReadingAgeGrows()
    {
        _sensors.Add(1, siteId: 1);
        var store = Store();
        var readingTime = Now;
        store.OnCommitted([new(1, readingTime, 1)]);

        _clock.Advance(TimeSpan.FromSeconds(42));
        var status = store.GetSiteStatuses()[1];

        Assert.Equal(readingTime, status.LastReadingAt);
        Assert.Equal(TimeSpan.FromSeconds(42), status.LastReadingAge);
    }

    [Fact]
    public void GetSiteStatuses_SiteWithoutReadings_ShowsTotalsAndNoAge()
    {
        _sensors.Add(1, siteId: 1).Add(2, siteId: 1);
        var store = Store();

        var status = store.GetSiteStatuses()[1];

        Assert.Equal(2, status.SensorsTotal);
        Assert.Equal(0, status.SensorsReporting);
        Assert.Null(status.LastReadingAge);
    }

    [Fact]
    public void OnCommitted_MoreSensorsThanTheLimit_TracksNoMoreThanTheLimit()
    {
        for (var id = 1; id <= 10; id++)
        {
            _sensors.Add(id, siteId: 1);
        }
        var store = Store(new LiveOptions { MaxSensors = 4 });

        store.OnCommitted(Enumerable.Range(1, 10).Select(id => new CommittedReading(id, Now, id)).ToList());

        Assert.Equal(4, store.TrackedSensors);
        Assert.NotNull(store.GetSensor(1)!.LastTs);
        Assert.Null(store.GetSensor(10)!.LastTs);
        Assert.Equal(4, store.GetSiteStatuses()[1].SensorsReporting);
    }

    [Fact]
    public void OnCommitted_UnregisteredSensor_IsIgnored()
    {
        _sensors.Add(1, siteId: 1);
        var store = Store();

        store.OnCommitted([new(77, Now, 1)]);

        Assert.Null(store.GetSensor(77));
        Assert.Equal(0, store.TrackedSensors);
    }
}
