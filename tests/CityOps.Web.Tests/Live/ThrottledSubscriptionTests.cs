using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Live;

public class ThrottledSubscriptionTests
{
    private readonly FakeTimeProvider _clock = LiveStoreFactory.Clock();
    private readonly FakeSensorLookup _sensors = new FakeSensorLookup().Add(1, siteId: 1);

    private static readonly TimeSpan Interval = new LiveOptions().NotifyInterval;

    private LiveStore Store() => LiveStoreFactory.Create(_sensors, _clock);

    private void Reading(LiveStore store) => store.OnCommitted([new(1, _clock.GetUtcNow().UtcDateTime, 20)]);

    [Fact]
    public void Subscribe_FirstReadings_CallsBackWithoutWaiting()
    {
        var store = Store();
        var calls = 0;
        using var _ = store.Subscribe(() => { calls++; return Task.CompletedTask; });

        Reading(store);

        Assert.Equal(1, calls);
    }

    [Fact]
    public void Subscribe_BurstWithinInterval_CoalescesIntoOneTrailingCall()
    {
        var store = Store();
        var calls = 0;
        using var _ = store.Subscribe(() => { calls++; return Task.CompletedTask; });

        Reading(store);
        for (var i = 0; i < 50; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(2));
            Reading(store);
        }
        Assert.Equal(1, calls);

        _clock.Advance(Interval);
        Assert.Equal(2, calls);

        _clock.Advance(Interval * 4);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void Subscribe_ReadingsWhileCallbackRuns_CallsAgainAfterItFinishes()
    {
        var store = Store();
        var calls = 0;
        var firstCall = new TaskCompletionSource();
        using var _ = store.Subscribe(() => ++calls == 1 ? firstCall.Task : Task.CompletedTask);

        Reading(store);
        _clock.Advance(Interval * 2);
        Reading(store);
        Assert.Equal(1, calls);

        firstCall.SetResult();

        Assert.Equal(2, calls);
    }

    [Fact]
    public void Dispose_WithTrailingCallPending_NoFurtherCalls()
    {
        var store = Store();
        var calls = 0;
        var subscription = store.Subscribe(() => { calls++; return Task.CompletedTask; });
        Reading(store);
        Reading(store);

        subscription.Dispose();
        _clock.Advance(Interval * 4);
        Reading(store);
        _clock.Advance(Interval * 4);

        Assert.Equal(1, calls);
    }

    [Fact]
    public void Subscribe_CallbackThrows_LaterReadingsStillCallBack()
    {
        var store = Store();
        var calls = 0;
        using var _ = store.Subscribe(() => ++calls == 1 ? throw new InvalidOperationException("boom") : Task.CompletedTask);

        Reading(store);
        _clock.Advance(Interval);
        Reading(store);

        Assert.Equal(2, calls);
    }

    [Fact]
    public void Subscribe_SiteGiven_IgnoresReadingsOfOtherSites()
    {
        _sensors.Add(2, siteId: 2);
        var store = Store();
        var siteOneCalls = 0;
        var siteTwoCalls = 0;
        using var one = store.Subscribe(() => { siteOneCalls++; return Task.CompletedTask; }, siteId: 1);
        using var two = store.Subscribe(() => { siteTwoCalls++; return Task.CompletedTask; }, siteId: 2);

        store.OnCommitted([new(2, _clock.GetUtcNow().UtcDateTime, 1)]);

        Assert.Equal(0, siteOneCalls);
        Assert.Equal(1, siteTwoCalls);
    }

    [Fact]
    public async Task OnCommitted_SubscriberBlocksItsThread_ReturnsWithoutWaiting()
    {
        var store = LiveStoreFactory.Create(_sensors, TimeProvider.System);
        using var release = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = store.Subscribe(() =>
        {
            entered.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
            return Task.CompletedTask;
        });

        try
        {
            var commit = Task.Run(() =>
            {
                store.OnCommitted([new(1, DateTime.UtcNow, 1)]);
                store.OnCommitted([new(1, DateTime.UtcNow, 2)]);
            }, TestContext.Current.CancellationToken);

            await entered.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            await commit.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            Assert.Equal(2, store.GetSensor(1)!.LastValue);
        }
        finally
        {
            release.Set();
        }
    }
}
