using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Merges committed readings into the 1-minute and 1-hour rollups. The writer queues every newly inserted
/// reading in <c>rollup_pending</c> in the same transaction as the raw row; this worker drains that queue
/// every <see cref="IngestOptions.RollupInterval"/> in one transaction per chunk (delete, aggregate, upsert),
/// so each rollup row is updated once per interval rather than once per request, and a crash at any point
/// leaves every reading either still queued or merged exactly once. The merge is mergeable by construction:
/// late, re-sent and concurrently written data combine to what an aggregate over the raw rows gives.
/// </summary>
internal sealed class RollupWorker(
    ReadingsDatabase database, IOptionsMonitor<IngestOptions> options, TimeProvider time, ILogger<RollupWorker> logger) : BackgroundService
{
    private const string Origin = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

    private const string MergeRollup = """
        count = r.count + excluded.count,
        sum = r.sum + excluded.sum,
        min = least(r.min, excluded.min),
        max = greatest(r.max, excluded.max),
        sum_sq = r.sum_sq + excluded.sum_sq,
        first_ts = least(r.first_ts, excluded.first_ts),
        first_value = CASE WHEN excluded.first_ts < r.first_ts THEN excluded.first_value ELSE r.first_value END,
        last_ts = greatest(r.last_ts, excluded.last_ts),
        last_value = CASE WHEN excluded.last_ts > r.last_ts THEN excluded.last_value ELSE r.last_value END
        """;

    // date_part gives float8 epoch seconds, which order microsecond timestamps correctly, so min/max over
    // [epoch, value] arrays pick the value of the earliest/latest reading without sorting each group.
    // Upserts run in (sensor, bucket) order so that workers of several instances cannot deadlock.
    private static readonly string MergeSql = $"""
        WITH d AS (
            DELETE FROM rollup_pending WHERE ctid = ANY (ARRAY(SELECT ctid FROM rollup_pending LIMIT $1))
            RETURNING sensor_id, ts, value
        ), g AS (
            SELECT sensor_id, date_bin('1 minute', ts, {Origin}) AS bucket,
                   count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, sum(value * value) AS sum_sq,
                   min(ts) AS first_ts, (min(ARRAY[date_part('epoch', ts), value]))[2] AS first_value,
                   max(ts) AS last_ts, (max(ARRAY[date_part('epoch', ts), value]))[2] AS last_value
            FROM d GROUP BY 1, 2
        ), m AS (
            INSERT INTO rollup_1m AS r (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
            SELECT * FROM g ORDER BY sensor_id, bucket
            ON CONFLICT (sensor_id, bucket) DO UPDATE SET {MergeRollup}
        ), h AS (
            INSERT INTO rollup_1h AS r (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
            SELECT sensor_id, date_bin('1 hour', bucket, {Origin}), sum(count), sum(sum), min(min), max(max), sum(sum_sq),
                   min(first_ts), (min(ARRAY[date_part('epoch', first_ts), first_value]))[2],
                   max(last_ts), (max(ARRAY[date_part('epoch', last_ts), last_value]))[2]
            FROM g GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (sensor_id, bucket) DO UPDATE SET {MergeRollup}
        )
        SELECT count(*) FROM d
        """;

    private const int ChunkSize = 500_000;
    private readonly SemaphoreSlim _gate = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.CurrentValue.RollupInterval, time, stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (ReadingsDatabase.IsUnavailable(e) && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug("Rollup merge postponed: the database is unavailable ({Error})", e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Merging readings into the rollups failed; they stay queued and are retried");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Merges everything queued so far into the rollups. Returns the number of readings merged.</summary>
    public async Task<long> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            long total = 0;
            long merged;
            do
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await using var cmd = new NpgsqlCommand(MergeSql, connection, tx) { Parameters = { new() { Value = ChunkSize } } };
                merged = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
                await tx.CommitAsync(cancellationToken);
                total += merged;
            }
            while (merged == ChunkSize);
            return total;
        }
        catch (PostgresException e) when (ReadingsDatabase.IsRetryable(e))
        {
            // Another instance merged the same rollup rows at the same time; the rows stay queued for the next pass.
            logger.LogDebug("Rollup merge conflicted with another instance: {Error}", e.Message);
            return 0;
        }
        finally
        {
            _gate.Release();
        }
    }
}
