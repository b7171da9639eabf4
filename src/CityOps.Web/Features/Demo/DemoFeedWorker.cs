using CityOps.Simulator;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Demo;

/// <summary>
/// Demo mode's device fleet: fills missing history, then advances the twin every tick and submits its
/// readings through <see cref="IngestService"/>, the same path gateways use. While the database is
/// unavailable readings wait (bounded) and are sent when it is back, as a buffering gateway would.
/// </summary>
internal sealed class DemoFeedWorker(
    DemoTwinHost host,
    IngestService ingest,
    NpgsqlDataSource dataSource,
    TimeProvider time,
    IOptions<DemoOptions> options,
    ILogger<DemoFeedWorker> logger) : BackgroundService
{
    private const int MaxBatch = 10_000;
    private readonly Queue<ReadingInput> _pending = new();
    private DateOnly _scheduledThrough;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var from = await HistoryStartAsync(now, o, stoppingToken);
        host.Start(from);
        if (from < now)
        {
            await BackfillAsync(from, now, o, stoppingToken);
        }
        ScheduleFaults(o);

        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(o.TickMilliseconds), time);
        do
        {
            ScheduleFaults(o);
            var readings = host.Use(t => t.AdvanceTo(time.GetUtcNow()));
            Enqueue(readings, o.MaxPendingReadings);
            await FlushAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Where the twin starts: after the newest stored demo history, but no earlier than the backfill window.</summary>
    private async Task<DateTimeOffset> HistoryStartAsync(DateTimeOffset now, DemoOptions o, CancellationToken cancellationToken)
    {
        var earliest = now.AddHours(-o.BackfillHours);
        while (true)
        {
            try
            {
                await using var cmd = dataSource.CreateCommand("SELECT max(last_ts) FROM rollup_1h WHERE bucket >= $1");
                cmd.Parameters.Add(new NpgsqlParameter { Value = earliest.UtcDateTime.AddHours(-1) });
                var newest = await cmd.ExecuteScalarAsync(cancellationToken);
                return newest is DateTime last && last > earliest.UtcDateTime
                    ? new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc)).AddSeconds(1)
                    : earliest;
            }
            catch (NpgsqlException e)
            {
                logger.LogWarning("Demo feed waits for the database: {Message}", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
            }
        }
    }

    private async Task BackfillAsync(DateTimeOffset from, DateTimeOffset to, DemoOptions o, CancellationToken cancellationToken)
    {
        logger.LogInformation("Demo feed: writing history from {From:u} to {To:u}", from, to);
        long written = 0;
        // The twin is shared, so each step of the history runs under its lock and the writes happen outside it.
        using var batches = host.Use(t => t.Backfill(from, to, TimeSpan.FromSeconds(o.BackfillIntervalSeconds)).GetEnumerator());
        while (host.Use(_ => batches.MoveNext()))
        {
            Enqueue(batches.Current, int.MaxValue);
            written += batches.Current.Count;
            await FlushAsync(cancellationToken, waitWhileUnavailable: true);
        }
        logger.LogInformation("Demo feed: wrote {Count} historical readings", written);
    }

    private void ScheduleFaults(DemoOptions o)
    {
        if (!o.ScheduleFaults)
        {
            return;
        }
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        // Today's and tomorrow's faults, so a fault near midnight is never missed.
        for (var day = _scheduledThrough == default ? today : _scheduledThrough.AddDays(1); day <= today.AddDays(1); day = day.AddDays(1))
        {
            var dayStart = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            host.Use(t =>
            {
                var upcoming = FaultSchedules.DemoDay(dayStart, o.Seed + day.DayNumber).Where(f => f.Start > t.Now).ToList();
                return t.Schedule(upcoming);
            });
            _scheduledThrough = day;
        }
    }

    private void Enqueue(IReadOnlyList<SimReading> readings, int limit)
    {
        foreach (var r in readings)
        {
            _pending.Enqueue(new ReadingInput(r.SensorKey, r.Timestamp, r.Value));
        }
        if (_pending.Count > limit)
        {
            var dropped = _pending.Count - limit;
            while (_pending.Count > limit)
            {
                _pending.Dequeue();
            }
            logger.LogWarning("Demo feed dropped its {Dropped} oldest readings while the database was unavailable", dropped);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken, bool waitWhileUnavailable = false)
    {
        while (_pending.Count > 0)
        {
            var batch = _pending.Take(MaxBatch).ToList();
            try
            {
                var outcome = await ingest.SubmitAsync(batch, Guid.Empty, null, cancellationToken);
                if (outcome.Rejected.Count > 0)
                {
                    logger.LogWarning("Demo feed: {Count} readings rejected, first: {Reason}", outcome.Rejected.Count, outcome.Rejected[0].Reason);
                }
                for (var i = 0; i < batch.Count; i++)
                {
                    _pending.Dequeue();
                }
            }
            catch (IngestUnavailableException e)
            {
                if (!waitWhileUnavailable)
                {
                    return;
                }
                logger.LogDebug("Demo feed waits {RetryAfter}: {Message}", e.RetryAfter, e.Message);
                await Task.Delay(e.RetryAfter, time, cancellationToken);
            }
        }
    }
}
