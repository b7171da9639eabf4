using CityOps.Analytics;
using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Live;

/// <summary>Sensor states as a control room sees them: fresh, stale, offline, near the limits, flatlined.</summary>
public class LiveQualityTests
{
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new FakeSensorLookup().Add(1, siteId: 1, intervalSeconds: 5);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private LiveStore Store(LiveOptions? options = null) => LiveStoreFactory.Create(_sensors, _clock, options);

    [Fact]
    public void GetSensor_NeverReported_IsOffline()
    {
        var snapshot = Store().GetSensor(1)!;

        Assert.Equal(LiveState.Offline, snapshot.State);
        Assert.Null(snapshot.LastValue);
        Assert.NotNull(snapshot.QualityIssue);
    }

    [Fact]
    public void GetSensor_SilenceGrows_NormalThenStaleThenOffline()
    {
        var store = Store();
        store.OnCommitted([new(1, Now, 20)]);

        _clock.Advance(TimeSpan.FromSeconds(15));
        var fresh = store.GetSensor(1)!.State;
        _clock.Advance(TimeSpan.FromSeconds(1));
        var stale = store.GetSensor(1)!;
        _clock.Advance(TimeSpan.FromSeconds(35));
        var offline = store.GetSensor(1)!.State;

        Assert.Equal(LiveState.Normal, fresh);
        Assert.Equal(LiveState.Stale, stale.State);
        Assert.Contains("16 s", stale.QualityIssue);
        Assert.Equal(LiveState.Offline, offline);
    }

    [Theory]
    [InlineData(-37.0, LiveState.Abnormal)]
    [InlineData(116.9, LiveState.Abnormal)]
    [InlineData(-36.7, LiveState.Normal)]
    [InlineData(116.7, LiveState.Normal)]
    public void GetSensor_ValueWithinTwoPercentOfTheRange_IsAbnormal(double value, LiveState expected)
    {
        // The fake sensors range from -40 to 120: 2 % of the range is 3.2.
        var store = Store();

        store.OnCommitted([new(1, Now, value)]);

        Assert.Equal(expected, store.GetSensor(1)!.State);
    }

    [Theory]
    [InlineData(MetricKind.ScrapParts, 0, 5000, 0.0)]
    [InlineData(MetricKind.MachineState, 0, 2, 2.0)]
    [InlineData(MetricKind.Occupancy, 0, 100, 100.0)]
    [InlineData(MetricKind.LightingLevel, 0, 100, 0.0)]
    [InlineData(MetricKind.Flow, 0, 1000, 0.0)]
    [InlineData(MetricKind.Current, 0, 200, 1.0)]
    public void GetSensor_NormalRestingValueAtTheRangesEnd_IsNormal(MetricKind metric, double min, double max, double value)
    {
        _sensors.Add(2, siteId: 1, metric, min, max);
        var store = Store();

        store.OnCommitted([new(2, Now, value)]);

        Assert.Equal(LiveState.Normal, store.GetSensor(2)!.State);
    }

    [Fact]
    public void GetSensor_FlowNearItsUpperLimit_IsAbnormal()
    {
        _sensors.Add(2, siteId: 1, MetricKind.Flow, 0, 1000);
        var store = Store();

        store.OnCommitted([new(2, Now, 995)]);

        Assert.Equal(LiveState.Abnormal, store.GetSensor(2)!.State);
    }

    [Fact]
    public void GetSensor_NearLimitCheckOff_LimitValueIsNormal()
    {
        var store = Store(new LiveOptions { NearLimitFraction = 0 });

        store.OnCommitted([new(1, Now, 120)]);

        Assert.Equal(LiveState.Normal, store.GetSensor(1)!.State);
    }

    [Fact]
    public void GetSensor_SameValueForTenIntervals_IsFlatline_UntilTheValueMoves()
    {
        var store = Store();
        for (var i = 0; i <= 10; i++)
        {
            store.OnCommitted([new(1, Now, 21.5)]);
            if (i < 10)
            {
                _clock.Advance(TimeSpan.FromSeconds(5));
            }
        }
        var flat = store.GetSensor(1)!;

        _clock.Advance(TimeSpan.FromSeconds(5));
        store.OnCommitted([new(1, Now, 21.6)]);

        Assert.Equal(LiveState.Abnormal, flat.State);
        Assert.Contains("Flatline", flat.QualityIssue);
        Assert.Equal(LiveState.Normal, store.GetSensor(1)!.State);
    }

    [Fact]
    public void GetSensor_SameValueForShorterThanTenIntervals_IsNormal()
    {
        var store = Store();
        for (var i = 0; i < 12; i++)
        {
            store.OnCommitted([new(1, Now, 21.5)]);
            _clock.Advance(TimeSpan.FromSeconds(4));
        }

        Assert.Equal(LiveState.Normal, store.GetSensor(1)!.State);
    }

    [Fact]
    public void Seed_StoredNewestReading_ShowsAsLatestWithoutWindows()
    {
        var store = Store();

        store.Seed([new CommittedReading(1, Now.AddSeconds(-2), 33)]);

        var snapshot = store.GetSensor(1)!;
        Assert.Equal(33, snapshot.LastValue);
        Assert.Equal(LiveState.Normal, snapshot.State);
        Assert.Null(snapshot.Current1s);
        Assert.Null(snapshot.Current1m);
    }

    [Fact]
    public void Seed_OlderThanWhatArrived_KeepsTheNewer()
    {
        var store = Store();
        store.OnCommitted([new(1, Now, 50)]);

        store.Seed([new CommittedReading(1, Now.AddSeconds(-30), 10)]);

        Assert.Equal(50, store.GetSensor(1)!.LastValue);
    }
}
