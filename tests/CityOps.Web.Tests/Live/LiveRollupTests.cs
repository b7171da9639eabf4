using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Live;

/// <summary>Asset and site roll-ups: counts per state and the worst state.</summary>
public class LiveRollupTests
{
    // The fake lookup puts site N's sensors on asset N × 100; asset 100 sits below 10, which sits below 1.
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new();
    private readonly FakeAssetTree _tree = new FakeAssetTree().Child(100, 10).Child(10, 1);

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    private LiveStore Store() => new(_sensors, Options.Create(new LiveOptions()), _clock, NullLogger<LiveStore>.Instance, _tree);

    [Fact]
    public void GetSite_MixedSensors_CountsEachStateAndTheWorst()
    {
        _sensors.Add(1, siteId: 1).Add(2, siteId: 1).Add(3, siteId: 1).Add(4, siteId: 1).Add(5, siteId: 2);
        var store = Store();
        store.OnCommitted([new(2, Now, 20)]);
        _clock.Advance(TimeSpan.FromSeconds(20));
        store.OnCommitted([new(1, Now, 20), new(3, Now, 119), new(5, Now, 20)]);

        var site = store.GetSite(1);

        Assert.Equal(new GroupLiveStatus(Total: 4, Reporting: 2, Stale: 1, Abnormal: 1, Offline: 1, Worst: LiveState.Offline), site);
        Assert.Equal(new GroupLiveStatus(1, 1, 0, 0, 0, LiveState.Normal), store.GetSite(2));
    }

    [Fact]
    public void GetSite_OneStaleSensorAmongNormal_WorstIsStale()
    {
        _sensors.Add(1, siteId: 1).Add(2, siteId: 1);
        var store = Store();
        store.OnCommitted([new(2, Now, 20)]);
        _clock.Advance(TimeSpan.FromSeconds(20));
        store.OnCommitted([new(1, Now, 20)]);

        Assert.Equal(LiveState.Stale, store.GetSite(1).Worst);
    }

    [Fact]
    public void GetAsset_Ancestor_IncludesSensorsOfDescendants_OtherBranchesNot()
    {
        _sensors.Add(1, siteId: 1).Add(2, siteId: 1).Add(3, siteId: 2);
        var store = Store();
        store.OnCommitted([new(1, Now, 20), new(2, Now, 119), new(3, Now, -40)]);

        var top = store.GetAsset(1);
        var leaf = store.GetAsset(100);
        var other = store.GetAsset(200);

        Assert.Equal(new GroupLiveStatus(2, 2, 0, 1, 0, LiveState.Abnormal), top);
        Assert.Equal(top, leaf);
        Assert.Equal(new GroupLiveStatus(1, 1, 0, 1, 0, LiveState.Abnormal), other);
    }

    [Fact]
    public void GetAsset_NoSensors_IsEmptyAndNormal()
    {
        Assert.Equal(GroupLiveStatus.Empty, Store().GetAsset(999));
    }
}
