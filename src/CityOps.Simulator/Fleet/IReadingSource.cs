namespace CityOps.Simulator.Fleet;

/// <summary>
/// Where a <see cref="FleetClient"/> gets readings from. <see cref="FleetClient"/> calls <see cref="ReadAsync"/>
/// from one sender at a time, so implementations need not be thread-safe.
/// </summary>
public interface IReadingSource
{
    /// <summary>
    /// Fills the start of <paramref name="buffer"/> with the next readings and returns how many; 0 means the source is
    /// exhausted. May wait (a live source waits for simulated time to pass); may return fewer than the buffer holds.
    /// </summary>
    ValueTask<int> ReadAsync(Memory<SimReading> buffer, CancellationToken cancellationToken);
}

/// <summary>Readings already in memory, or batches produced lazily (such as <see cref="Twin.Backfill"/>).</summary>
public sealed class BatchReadingSource(IEnumerable<IReadOnlyList<SimReading>> batches) : IReadingSource, IDisposable
{
    private readonly IEnumerator<IReadOnlyList<SimReading>> _batches = batches.GetEnumerator();
    private IReadOnlyList<SimReading> _current = [];
    private int _position;

    public BatchReadingSource(IReadOnlyList<SimReading> readings)
        : this([readings])
    {
    }

    public ValueTask<int> ReadAsync(Memory<SimReading> buffer, CancellationToken cancellationToken)
    {
        while (_position >= _current.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!_batches.MoveNext())
            {
                return ValueTask.FromResult(0);
            }
            _current = _batches.Current;
            _position = 0;
        }
        var span = buffer.Span;
        var n = Math.Min(span.Length, _current.Count - _position);
        for (var i = 0; i < n; i++)
        {
            span[i] = _current[_position + i];
        }
        _position += n;
        return ValueTask.FromResult(n);
    }

    public void Dispose() => _batches.Dispose();
}

/// <summary>
/// Live readings from a twin in step with a clock: waits until a tick of real time has passed, then advances the
/// twin to the clock and hands out what fell due. Stops at <paramref name="until"/> (null: never).
/// </summary>
public sealed class LiveTwinSource(Twin twin, TimeProvider time, DateTimeOffset? until, TimeSpan tick) : IReadingSource
{
    private IReadOnlyList<SimReading> _pending = [];
    private int _position;

    /// <summary>Called after each advance with the twin's new present, before its readings are handed out
    /// (the fleet runner uses it to schedule faults day by day).</summary>
    public Action<Twin>? Advanced { get; init; }

    public async ValueTask<int> ReadAsync(Memory<SimReading> buffer, CancellationToken cancellationToken)
    {
        while (_position >= _pending.Count)
        {
            if (until is { } end && twin.Now >= end)
            {
                return 0;
            }
            var target = twin.Now + tick;
            var wait = target - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
            var now = time.GetUtcNow();
            if (until is { } stop && now > stop)
            {
                now = stop;
            }
            _pending = twin.AdvanceTo(now);
            _position = 0;
            Advanced?.Invoke(twin);
        }
        var span = buffer.Span;
        var n = Math.Min(span.Length, _pending.Count - _position);
        for (var i = 0; i < n; i++)
        {
            span[i] = _pending[_position + i];
        }
        _position += n;
        return n;
    }
}
