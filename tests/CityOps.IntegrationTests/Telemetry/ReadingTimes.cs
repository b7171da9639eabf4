namespace CityOps.IntegrationTests.Telemetry;

/// <summary>Reading times for tests that assert on 1-second windows.</summary>
internal static class ReadingTimes
{
    private static long _lastSecondTicks;

    /// <summary>
    /// Two instants within one second, so both fall in one 1-second window; each call a later second than the last,
    /// so tests that run within the same wall-clock second do not share windows.
    /// </summary>
    public static (DateTime First, DateTime Second) SameSecond()
    {
        var now = DateTime.UtcNow;
        var candidate = now.Ticks - now.Ticks % TimeSpan.TicksPerSecond - TimeSpan.TicksPerSecond;
        long taken, next;
        do
        {
            taken = Volatile.Read(ref _lastSecondTicks);
            next = Math.Max(candidate, taken + TimeSpan.TicksPerSecond);
        }
        while (Interlocked.CompareExchange(ref _lastSecondTicks, next, taken) != taken);
        var second = new DateTime(next, DateTimeKind.Utc);
        return (second.AddMilliseconds(200), second.AddMilliseconds(500));
    }

    public static DateTime WindowStart(DateTime ts) => new(ts.Ticks - ts.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
