using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The single writer: takes queued requests, coalesces them into one transaction (group commit), and
/// only after the commit completes each request and hands the readings to the <see cref="IReadingsObserver"/>s.
/// Observers are called in commit order by a loop of their own, so the next transaction does not wait for them
/// (at most <see cref="ObserverBacklog"/> committed batches wait for the observers; beyond that the writer waits).
/// When the database is unreachable it fails queued work at once, refuses new work (503), and checks
/// the database again every <see cref="IngestOptions.ProbeInterval"/> until it is back.
/// </summary>
internal sealed class IngestWriter(
    IngestQueue queue,
    ReadingsStore store,
    ReadingsDatabase database,
    IEnumerable<IReadingsObserver> observers,
    IngestMetrics metrics,
    IOptionsMonitor<IngestOptions> options,
    TimeProvider time,
    ILogger<IngestWriter> logger) : BackgroundService
{
    private const int MaxAttempts = 3;
    private const int ObserverBacklog = 16;
    private readonly IReadingsObserver[] _observers = observers.ToArray();
    private readonly Channel<CommittedReading[]> _committed = Channel.CreateBounded<CommittedReading[]>(
        new BoundedChannelOptions(ObserverBacklog) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
    private volatile bool _databaseDown;

    /// <summary>False while the database is known to be unreachable; submissions are then refused at once.</summary>
    public bool IsAvailable => !_databaseDown;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IngestWorkItem>();
        var observing = Task.Run(ObserveAsync, CancellationToken.None);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_databaseDown)
                {
                    FailQueued("The database is unavailable.");
                    await Task.Delay(options.CurrentValue.ProbeInterval, time, stoppingToken);
                    if (await ProbeAsync(stoppingToken))
                    {
                        logger.LogInformation("The database is reachable again; ingestion resumes");
                        _databaseDown = false;
                    }
                    continue;
                }
                var first = await queue.ReadAsync(stoppingToken);
                queue.Taken(first);
                batch.Add(first);
                var readings = first.Readings.Count;
                var limit = options.CurrentValue.MaxReadingsPerTransaction;
                while (readings < limit && queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                    readings += next.Readings.Count;
                }
                // The transaction is not cancelled by shutdown: a batch that was taken is written or failed, never abandoned.
                await WriteAsync(batch, readings);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Complete();
            Fail(batch, new IngestUnavailableException("The service is shutting down.", options.CurrentValue.RetryAfter));
            FailQueued("The service is shutting down.");
            // Everything committed is still told to the observers before the writer stops.
            _committed.Writer.TryComplete();
            await observing;
        }
    }

    private async Task ObserveAsync()
    {
        await foreach (var committed in _committed.Reader.ReadAllAsync())
        {
            foreach (var observer in _observers)
            {
                try
                {
                    observer.OnCommitted(committed);
                }
                catch (Exception e)
                {
                    logger.LogError(e, "Readings observer {Observer} failed", observer.GetType().Name);
                }
            }
        }
    }

    private async Task WriteAsync(List<IngestWorkItem> batch, int readings)
    {
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var written = await store.WriteAsync(batch, CancellationToken.None);
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.Committed(elapsed, readings);
                await CompleteAsync(batch, readings);
                logger.LogDebug("Committed {Requests} requests, {Readings} readings ({Written} written) in {Elapsed} ms",
                    batch.Count, readings, written, elapsed.TotalMilliseconds);
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts && ReadingsDatabase.IsRetryable(e))
            {
                logger.LogInformation("Ingest transaction conflicted with another writer ({Error}); retrying", e.Message);
                await store.ResetAsync();
            }
            catch (Exception e) when (attempt == 1 && ReadingsDatabase.IsUnavailable(e))
            {
                // The long-lived connection may have been broken by an earlier restart of the server; one fresh try.
                logger.LogInformation("Ingest connection failed ({Error}); reconnecting", e.Message);
                await store.ResetAsync();
            }
            catch (Exception e) when (ReadingsDatabase.IsUnavailable(e))
            {
                logger.LogWarning(e, "The database is unavailable; failing {Requests} ingest requests with 503 until it is back", batch.Count);
                _databaseDown = true;
                await store.ResetAsync();
                // Pooled connections from before the outage are dead too; the probe must not pick one up.
                database.DataSource.Clear();
                Fail(batch, new IngestUnavailableException("The database is unavailable.", options.CurrentValue.RetryAfter));
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Writing an ingest batch of {Requests} requests ({Readings} readings) failed", batch.Count, readings);
                await store.ResetAsync();
                Fail(batch, e);
                return;
            }
        }
    }

    private async ValueTask CompleteAsync(List<IngestWorkItem> batch, int readings)
    {
        var committed = _observers.Length == 0 ? null : new CommittedReading[readings];
        var n = 0;
        var accepted = 0;
        foreach (var item in batch)
        {
            if (item.ReplayedOutcome is { } replayed)
            {
                item.Completion.TrySetResult(replayed);
                continue;
            }
            if (committed is not null)
            {
                foreach (var r in item.Readings)
                {
                    committed[n++] = new CommittedReading(r.SensorId, r.Timestamp, r.Value);
                }
            }
            accepted += item.Readings.Count;
            item.Completion.TrySetResult(item.Outcome);
        }
        metrics.Accepted(accepted);
        if (committed is null || n == 0)
        {
            return;
        }
        if (n < committed.Length)
        {
            Array.Resize(ref committed, n);
        }
        await _committed.Writer.WriteAsync(committed);
    }

    private static void Fail(List<IngestWorkItem> batch, Exception error)
    {
        foreach (var item in batch)
        {
            item.Completion.TrySetException(error);
        }
    }

    private void FailQueued(string message)
    {
        var error = new IngestUnavailableException(message, options.CurrentValue.RetryAfter);
        while (queue.TryDequeue(out var item))
        {
            item.Completion.TrySetException(error);
        }
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = "SELECT 1";
            await cmd.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (ReadingsDatabase.IsUnavailable(e))
        {
            return false;
        }
    }
}
