using System.Globalization;
using CityOps.Simulator.Fleet;
using CityOps.Simulator.World;

namespace CityOps.Simulator.Cli;

/// <summary>Runs a <see cref="FleetCommand"/>: optional backfill, then live readings until the duration ends or it is cancelled.</summary>
public sealed class FleetRunner(FleetCommand command, TextWriter output, TimeProvider time)
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(10);

    private DateOnly _faultsScheduledThrough = DateOnly.MinValue;
    private TimeZoneInfo? _demoZone;

    /// <summary>Returns the process exit code: 0 when every reading was delivered, 1 otherwise.</summary>
    public async Task<int> RunAsync(HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        var world = command.SyntheticSensors is { } n ? SyntheticFleet.Create(n, command.Seed) : DemoWorld.Create();
        var now = TruncateToSecond(time.GetUtcNow());
        var start = command.Backfill is { } history ? now - history : now;
        var twin = new Twin(world, command.Seed, start);
        var natural = twin.ReadingsPerSecond;
        if (command.Rate is { } rate)
        {
            twin.SamplingScale = natural / rate;
        }
        if (command.DemoFaults)
        {
            _demoZone = TimeZoneInfo.TryFindSystemTimeZoneById(world.Sites[0].TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
            ScheduleDemoDays(twin, now);
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"World: {world.Sites.Count} sites, {world.Assets.Count} assets, {world.Sensors.Count} sensors, {world.Actuators.Count} actuators; natural rate {natural:0.#} readings/s."));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Sending {twin.ReadingsPerSecond:0.#} readings/s to {command.Target} in batches of {command.BatchSize}, {command.Concurrency} at a time, seed {command.Seed}."));
        if (command.Backfill is { } b)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Backfill: {b} of history from {start:u}, at most one reading per sensor per {command.BackfillInterval}."));
        }
        output.WriteLine(command.Duration is { } d ? $"Live for {d}." : "Live until Ctrl+C.");
        if (command.DryRun)
        {
            return 0;
        }

        using var client = new FleetClient(new FleetClientOptions
        {
            Target = command.Target,
            ApiKey = command.ApiKey,
            BatchSize = command.BatchSize,
            Concurrency = command.Concurrency,
        }, handler, time);

        var exitCode = 0;
        try
        {
            if (command.Backfill is not null)
            {
                using var backfill = new BatchReadingSource(twin.Backfill(twin.Now, now, command.BackfillInterval));
                var stats = await client.SendAsync(backfill, cancellationToken).ConfigureAwait(false);
                exitCode |= Report("Backfill", stats);
                if (cancellationToken.IsCancellationRequested)
                {
                    return exitCode;
                }
            }

            var until = command.Duration is { } duration ? TruncateToSecond(time.GetUtcNow()) + duration : (DateTimeOffset?)null;
            long produced = 0;
            var lastProgress = time.GetUtcNow();
            var live = new LiveTwinSource(twin, time, until, TimeSpan.FromSeconds(1))
            {
                Advanced = t =>
                {
                    if (command.DemoFaults)
                    {
                        ScheduleDemoDays(t, t.Now);
                    }
                    var wallNow = time.GetUtcNow();
                    if (wallNow - lastProgress >= ProgressEvery)
                    {
                        lastProgress = wallNow;
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t.Now:u}  {produced:N0} readings produced"));
                    }
                },
            };
            var counting = new CountingSource(live, count => produced += count);
            exitCode |= Report("Live", await client.SendAsync(counting, cancellationToken).ConfigureAwait(false));
        }
        catch (FleetAuthenticationException ex)
        {
            output.WriteLine(ex.Message);
            return 1;
        }
        return exitCode;
    }

    private int Report(string phase, FleetStatistics s)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{phase}: {s.Accepted:N0} accepted, {s.Rejected:N0} rejected, {s.Failed:N0} failed in {s.Requests:N0} requests ({s.Retries:N0} retries), " +
            $"{s.Elapsed.TotalSeconds:0.0} s, {s.AcceptedPerSecond:N0} readings/s, latency p50 {s.LatencyPercentile(0.5).TotalMilliseconds:0} ms, p99 {s.LatencyPercentile(0.99).TotalMilliseconds:0} ms."));
        foreach (var (reason, count) in s.RejectionReasons)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rejected {count:N0}×: {reason}"));
        }
        if (s.LastError is not null)
        {
            output.WriteLine($"  last error: {s.LastError}");
        }
        return s.Failed > 0 ? 1 : 0;
    }

    /// <summary>Schedules the demo-day faults for every local day up to the one after <paramref name="through"/>.</summary>
    private void ScheduleDemoDays(Twin twin, DateTimeOffset through)
    {
        var zone = _demoZone!;
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(twin.Now, zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(through, zone).DateTime).AddDays(1);
        for (var day = first > _faultsScheduledThrough ? first : _faultsScheduledThrough.AddDays(1); day <= last; day = day.AddDays(1))
        {
            var midnight = day.ToDateTime(TimeOnly.MinValue);
            var dayStart = new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
            var upcoming = new List<FaultSpec>();
            foreach (var spec in FaultSchedules.DemoDay(dayStart, command.Seed + day.DayNumber))
            {
                if (spec.Start >= twin.Now)
                {
                    upcoming.Add(spec);
                }
            }
            twin.Schedule(upcoming);
            _faultsScheduledThrough = day;
        }
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private sealed class CountingSource(IReadingSource inner, Action<int> counted) : IReadingSource
    {
        public async ValueTask<int> ReadAsync(Memory<SimReading> buffer, CancellationToken cancellationToken)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            counted(n);
            return n;
        }
    }
}
