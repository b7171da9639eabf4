namespace CityOps.Web.Features.Live;

/// <summary>
/// A subscriber's handle: <see cref="Notify"/> may be called at any rate from any thread; the callback
/// runs at most once per <c>minInterval</c>, on the thread pool, never on the notifier's thread
/// (except under a test clock). A burst coalesces into one call, and a notification that arrives while
/// the callback runs or waits is followed by one more call afterwards, so the last change is never lost.
/// Disposing stops further callbacks.
/// </summary>
public sealed class ThrottledSubscription : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Func<Task> _callback;
    private readonly TimeSpan _minInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Action<ThrottledSubscription>? _onDispose;
    private long? _lastRun;
    private bool _pending;
    private bool _scheduled;
    private bool _running;
    private bool _disposed;

    internal ThrottledSubscription(
        Func<Task> callback, TimeSpan minInterval, TimeProvider time, ILogger logger, Action<ThrottledSubscription>? onDispose = null)
    {
        _callback = callback;
        _minInterval = minInterval;
        _time = time;
        _logger = logger;
        _onDispose = onDispose;
        _timer = time.CreateTimer(static s => ((ThrottledSubscription)s!).Run(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Something changed: schedules the callback unless one is already due. Never blocks on the callback.</summary>
    public void Notify()
    {
        TimeSpan delay;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _pending = true;
            if (_scheduled || _running)
            {
                return;
            }
            _scheduled = true;
            delay = DelayBeforeNextRun();
        }
        Schedule(delay);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _timer.Dispose();
        _onDispose?.Invoke(this);
    }

    private TimeSpan DelayBeforeNextRun()
    {
        if (_lastRun is not { } last)
        {
            return TimeSpan.Zero;
        }
        var wait = _minInterval - _time.GetElapsedTime(last);
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private void Schedule(TimeSpan delay)
    {
        try
        {
            _timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed between the decision and the scheduling: nothing is owed any more.
        }
    }

    private async void Run()
    {
        lock (_gate)
        {
            if (_disposed || !_pending)
            {
                _scheduled = false;
                return;
            }
            _scheduled = false;
            _pending = false;
            _running = true;
            _lastRun = _time.GetTimestamp();
        }
        try
        {
            await _callback();
        }
        catch (Exception e)
        {
            // A subscriber's failure must not stop the store or other subscribers; it is still a defect.
            _logger.LogError(e, "A live subscription callback failed");
        }
        TimeSpan? next = null;
        lock (_gate)
        {
            _running = false;
            if (_pending && !_disposed)
            {
                _scheduled = true;
                next = DelayBeforeNextRun();
            }
        }
        if (next is { } delay)
        {
            Schedule(delay);
        }
    }
}
