using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The writer: takes queued requests, coalesces them into one transaction (group commit), and only after the commit
/// completes each request and tells the <see cref="IReadingsObserver"/>s. <see cref="IngestOptions.Writers"/> loops,
/// each with its own <see cref="ReadingsStore"/> (connection), pipeline the transactions: a loop takes the next group
/// of requests once the previous transaction's raw rows are in, so that group's claims and COPY run while the
/// previous one marks its minutes and waits for its commit (the flush of the WAL). Only one group is being taken and
/// copied at a time (a gate), so requests that arrive meanwhile still coalesce into the next transaction.
/// When the database is unreachable it fails queued work at once, refuses new work (503), and checks
/// the database again every <see cref="IngestOptions.ProbeInterval"/> until it is back.
/// </summary>
/// <remarks>
/// Every guarantee holds per transaction, so it holds with several in flight: a request is answered 202 only after
/// its own transaction committed; a request that fails is answered with an error and its readings are either all
/// committed or none. Readings stay exact whichever transaction commits first (see <see cref="ReadingsStore"/> for the
/// lock order and the rollup marks). Out of the queue, each loop holds at most one group of up to
/// <see cref="IngestOptions.MaxReadingsPerTransaction"/> readings, so memory stays bounded by the queue's capacity
/// plus that many groups. Observers are called one batch at a time, in the order the commits are completed here,
/// which for two transactions of disjoint minutes need not be the order PostgreSQL committed them in.
/// </remarks>
internal sealed class IngestWriter(
    IngestQueue queue,
    ReadingsDatabase database,
    ReadingsPartitions partitions,
    IEnumerable<IReadingsObserver> observers,
    IngestMetrics metrics,
    IOptionsMonitor<IngestOptions> options,
    TimeProvider time,
    ILogger<IngestWriter> logger) : BackgroundService
{
    private const int MaxAttempts = 3;
    private readonly IReadingsObserver[] _observers = observers.ToArray();
    private readonly Lock _observersGate = new();
    private readonly SemaphoreSlim _takeGate = new(1, 1);
    private volatile bool _databaseDown;

    /// <summary>False while the database is known to be unreachable; submissions are then refused at once.</summary>
    public bool IsAvailable => !_databaseDown;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = Enumerable.Range(0, Math.Max(1, options.CurrentValue.Writers)).Select(_ => RunLoopAsync(stoppingToken)).ToArray();
        try
        {
            await Task.WhenAll(loops);
        }
        finally
        {
            // Every loop has finished its transaction in flight; whatever is still queued is refused.
            queue.Complete();
            FailQueued("The service is shutting down.");
        }
    }

    private async Task RunLoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await using var store = new ReadingsStore(database, partitions, time);
        var batch = new List<IngestWorkItem>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (_databaseDown)
                {
                    FailQueued("The database is unavailable.");
                    await Task.Delay(options.CurrentValue.ProbeInterval, time, stoppingToken);
                    if (_databaseDown && await ProbeAsync(stoppingToken))
                    {
                        logger.LogInformation("The database is reachable again; ingestion resumes");
                        _databaseDown = false;
                    }
                    continue;
                }
                await _takeGate.WaitAsync(stoppingToken);
                var gateHeld = 1;
                Task ReleaseGate()
                {
                    if (Interlocked.Exchange(ref gateHeld, 0) == 1)
                    {
                        _takeGate.Release();
                    }
                    return Task.CompletedTask;
                }
                try
                {
                    if (_databaseDown)
                    {
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
                    await WriteAsync(store, batch, readings, ReleaseGate);
                    batch.Clear();
                }
                finally
                {
                    await ReleaseGate();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Fail(batch, new IngestUnavailableException("The service is shutting down.", options.CurrentValue.RetryAfter));
        }
    }

    private async Task WriteAsync(ReadingsStore store, List<IngestWorkItem> batch, int readings, Func<Task> copied)
    {
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var inserted = await store.WriteAsync(batch, copied, CancellationToken.None);
                var elapsed = Stopwatch.GetElapsedTime(started);
                metrics.Committed(elapsed, readings);
                Complete(batch);
                logger.LogDebug("Committed {Requests} requests, {Readings} readings ({Inserted} new) in {Elapsed} ms",
                    batch.Count, readings, inserted, elapsed.TotalMilliseconds);
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts && ReadingsDatabase.IsRetryable(e))
            {
                logger.LogInformation("Ingest transaction conflicted with another writer ({Error}); retrying", e.Message);
                await store.ResetAsync();
            }
            catch (Exception e) when (attempt < MaxAttempts
                && e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.CheckViolation or Npgsql.PostgresErrorCodes.UndefinedTable })
            {
                // A partition the writer believed to exist was dropped by retention under it (the COPY into the parent
                // fails its check, the COPY into the partition finds no table): create it again.
                logger.LogInformation("A partition was missing ({Error}); recreating it and retrying", e.Message);
                partitions.Forget();
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

    private void Complete(List<IngestWorkItem> batch)
    {
        var committed = new List<CommittedReading>();
        var accepted = 0;
        foreach (var item in batch)
        {
            if (item.ReplayedOutcome is { } replayed)
            {
                item.Completion.TrySetResult(replayed);
                continue;
            }
            foreach (var r in item.Readings)
            {
                committed.Add(new CommittedReading(r.SensorId, r.Timestamp, r.Value));
            }
            accepted += item.Readings.Count;
            item.Completion.TrySetResult(item.Outcome);
        }
        metrics.Accepted(accepted);
        if (committed.Count == 0)
        {
            return;
        }
        // Observers are written for one caller at a time; the loops take turns.
        lock (_observersGate)
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
