using System.Collections.Concurrent;
using CityOps.Simulator;

namespace CityOps.Tests.Simulator;

/// <summary>Shared instants and helpers. The demo world lives in Europe/Amsterdam, UTC+1 in late November.</summary>
internal static class SimTestKit
{
    /// <summary>Tuesday 24 November 2026, 00:00 local.</summary>
    public static readonly DateTimeOffset TuesdayMidnight = new(2026, 11, 24, 0, 0, 0, TimeSpan.FromHours(1));

    public static DateTimeOffset Tuesday(double localHour) => TuesdayMidnight.AddHours(localHour);

    public static List<SimReading> Collect(Twin twin, DateTimeOffset until, TimeSpan step)
    {
        var all = new List<SimReading>();
        for (var t = twin.Now + step; t < until; t += step)
        {
            all.AddRange(twin.AdvanceTo(t));
        }
        all.AddRange(twin.AdvanceTo(until));
        return all;
    }

    public static List<SimReading> History(Twin twin, DateTimeOffset to, TimeSpan minimumInterval) =>
        twin.Backfill(twin.Now, to, minimumInterval).SelectMany(b => b).ToList();

    public static double Mean(IEnumerable<SimReading> readings, string key, DateTimeOffset from, DateTimeOffset to) =>
        readings.Where(r => r.SensorKey == key && r.Timestamp >= from && r.Timestamp < to).Average(r => r.Value);

    public static double MeanWhere(IEnumerable<SimReading> readings, Func<string, bool> key, DateTimeOffset from, DateTimeOffset to) =>
        readings.Where(r => key(r.SensorKey) && r.Timestamp >= from && r.Timestamp < to).Average(r => r.Value);

    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}

/// <summary>
/// A clock that only moves when someone waits on it: every timer jumps the clock forward by its due time and fires at
/// once. Records each requested wait, so tests can check that a delay was asked for without waiting for it.
/// </summary>
internal sealed class JumpingClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            Waits.Enqueue(dueTime);
            Interlocked.Add(ref _ticks, dueTime.Ticks);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
