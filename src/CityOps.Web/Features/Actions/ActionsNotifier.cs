using System.Collections.Immutable;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

/// <summary>Tells screens that suggestions or commands changed, throttled like the live store's subscriptions.</summary>
public sealed class ActionsNotifier(IOptions<LiveOptions> options, TimeProvider time, ILogger<ActionsNotifier> logger)
{
    private ImmutableList<ThrottledSubscription> _subscribers = [];

    public IDisposable Subscribe(Func<Task> callback)
    {
        var subscription = new ThrottledSubscription(callback, options.Value.NotifyInterval, time, logger,
            s => ImmutableInterlocked.Update(ref _subscribers, l => l.Remove(s)));
        ImmutableInterlocked.Update(ref _subscribers, l => l.Add(subscription));
        return subscription;
    }

    public void Notify()
    {
        foreach (var s in _subscribers)
        {
            s.Notify();
        }
    }
}
