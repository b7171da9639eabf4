using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Stores the readings the writer committed as <c>rollup_delta</c> rows into <c>readings</c>, and keeps the 1-minute
/// and 1-hour rollups equal to an aggregate over the raw rows. Each pass takes the deltas (oldest first, up to
/// <see cref="DeltaBytesPerTransaction"/>), copies their readings into <c>readings</c> in (time, sensor) order with one
/// COPY, merges them into the minute and hour rows (count and sums add, min, max, first and last merge) and deletes the
/// deltas, all in one transaction. When some reading is stored already (re-sent data, or the same reading in two
/// requests), the COPY fails, the transaction is rolled back and the pass is done again the careful way: an insert
/// that skips stored readings and returns the ones it stored, and only those are merged; the first write of a reading
/// wins. Minutes marked in <c>rollup_pending</c> (by earlier versions' writers) are recomputed from <c>readings</c>.
/// Deltas and marks leave their tables only in the transaction that applies them, so a crash at any point loses
/// nothing and applies nothing twice; that transaction runs under one repeatable-read snapshot taken after the rollup
/// lock. Passes start every <see cref="IngestOptions.RollupInterval"/> (at once after a pass that took longer); marked minutes are recomputed once quiet for
/// that interval, or at the latest <see cref="IngestOptions.RollupMaxLag"/> after they were marked.
/// After each pass, <see cref="RollupPacker"/> packs the periods that closed; an update of minutes in an already
/// packed period marks that period stale in the same transaction, and the packer rebuilds it later.
/// </summary>
internal sealed class RollupWorker(
    ReadingsDatabase database, ReadingsPartitions partitions, RollupPacker packer, IngestMetrics metrics, IOptionsMonitor<IngestOptions> options, TimeProvider time, ILogger<RollupWorker> logger) : BackgroundService
{
    private const string Origin = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

    // Serialises the rollup workers of all instances: two of them applying the same readings to the same rows would
    // double them. The packer takes it too, so a period is never packed halfway through an update of one of its
    // minutes. A table lock rather than an advisory lock: LOCK TABLE does not take a transaction snapshot, so a
    // repeatable-read transaction that starts with it sees everything committed before it got the lock.
    internal const string LockSql = "LOCK TABLE rollup_packing IN SHARE ROW EXCLUSIVE MODE";

    /// <summary>Begins a transaction that holds the rollup lock until it ends: rollup updates and packing run one at a time across instances.</summary>
    internal static async Task<NpgsqlTransaction> BeginSerialisedAsync(NpgsqlConnection connection, CancellationToken cancellationToken,
        System.Data.IsolationLevel isolation = System.Data.IsolationLevel.ReadCommitted)
    {
        var tx = await connection.BeginTransactionAsync(isolation, cancellationToken);
        await using var lockCmd = new NpgsqlCommand(LockSql, connection, tx);
        await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        return tx;
    }

    // Takes every visible mark of the due minutes (a minute is due once quiet for the interval, or once its oldest
    // mark is older than the maximum lag). Marks appended by transactions still in flight are invisible here and stay,
    // so their minutes come back on a later pass with their readings committed; the recomputation that follows in the
    // same transaction sees at least every reading whose mark it took.
    private const string TakeSql = """
        WITH due AS (
            SELECT bucket FROM rollup_pending GROUP BY bucket
            HAVING $1 OR max(dirtied_at) <= $2 OR min(dirtied_at) <= $3
            ORDER BY bucket LIMIT $4
        ), taken AS (
            DELETE FROM rollup_pending p USING due WHERE p.bucket = due.bucket RETURNING p.bucket
        )
        SELECT DISTINCT bucket FROM taken ORDER BY bucket
        """;

    private const string ReplaceRollup = """
        count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max, sum_sq = excluded.sum_sq,
        first_ts = excluded.first_ts, first_value = excluded.first_value, last_ts = excluded.last_ts, last_value = excluded.last_value
        """;

    // A minute's readings only ever grow (retention drops raw data only long after its minutes are final), so the new
    // minute row contains the old one: the hour gains the difference in count and sums, and min, max, first and last
    // merge as before.
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

    // First and last values: each group's first and last timestamps are found by min/max, and their values are then
    // two point lookups on the partitions' unique (ts, sensor_id) index. Carrying [epoch, value] arrays through
    // min/max instead built an array per reading and cost about three times the whole aggregation (1,200,000
    // readings in 4 minutes: 5.4-5.7 s against 1.5-1.9 s). All parts of one statement see the same snapshot, so
    // "old" is the minute rows before this recomputation.
    private static readonly string RecomputeSql = $"""
        WITH b AS (
            SELECT unnest($1::timestamptz[]) AS bucket
        ), a AS (
            SELECT r.sensor_id, b.bucket,
                   count(*) AS count, sum(r.value) AS sum, min(r.value) AS min, max(r.value) AS max, sum(r.value * r.value) AS sum_sq,
                   min(r.ts) AS first_ts, max(r.ts) AS last_ts
            FROM b JOIN readings r ON r.ts >= b.bucket AND r.ts < b.bucket + INTERVAL '1 minute'
            GROUP BY 1, 2
        ), g AS (
            SELECT a.sensor_id, a.bucket, a.count, a.sum, a.min, a.max, a.sum_sq, a.first_ts, f.value AS first_value, a.last_ts, l.value AS last_value
            FROM a
            CROSS JOIN LATERAL (SELECT x.value FROM readings x WHERE x.ts = a.first_ts AND x.sensor_id = a.sensor_id LIMIT 1) f
            CROSS JOIN LATERAL (SELECT x.value FROM readings x WHERE x.ts = a.last_ts AND x.sensor_id = a.sensor_id LIMIT 1) l
        ), old AS (
            SELECT o.sensor_id, o.bucket, o.count, o.sum, o.sum_sq FROM rollup_1m o JOIN b USING (bucket)
        ), m AS (
            INSERT INTO rollup_1m AS r (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
            SELECT * FROM g ORDER BY sensor_id, bucket
            ON CONFLICT (sensor_id, bucket) DO UPDATE SET {ReplaceRollup}
        ), h AS (
            INSERT INTO rollup_1h AS r (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
            SELECT g.sensor_id, date_bin('1 hour', g.bucket, {Origin}),
                   sum(g.count - coalesce(o.count, 0)), sum(g.sum - coalesce(o.sum, 0)), min(g.min), max(g.max),
                   sum(g.sum_sq - coalesce(o.sum_sq, 0)),
                   min(g.first_ts), (min(ARRAY[date_part('epoch', g.first_ts), g.first_value]))[2],
                   max(g.last_ts), (max(ARRAY[date_part('epoch', g.last_ts), g.last_value]))[2]
            FROM g LEFT JOIN old o USING (sensor_id, bucket)
            GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (sensor_id, bucket) DO UPDATE SET {MergeRollup}
        )
        SELECT coalesce(sum(count), 0)::bigint FROM g
        """;

    // Takes the deltas of committed write transactions, oldest first, up to about $1 bytes (all visible ones when $1 is
    // null). Each pass upserts every minute and hour row its readings touch and copies its readings in one COPY.
    private const string TakeDeltasSql = """
        WITH taken AS (
            DELETE FROM rollup_delta WHERE id IN (
                SELECT id FROM (
                    SELECT id, sum(octet_length(readings)) OVER (ORDER BY id) - octet_length(readings) AS before FROM rollup_delta
                ) d
                WHERE $1::bigint IS NULL OR d.before < $1)
            RETURNING id, readings, stored, written_at
        )
        SELECT readings, stored, written_at FROM taken ORDER BY id
        """;

    private const string CopyReadingsSql = "COPY readings (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)";

    // The careful way: readings already stored are skipped; of two equal readings the first written (in delta order,
    // which is the order of the arrays) wins.
    private const string InsertNewSql = """
        INSERT INTO readings (sensor_id, ts, value)
        SELECT s, t, v FROM unnest($1::int4[], $2::timestamptz[], $3::float8[]) WITH ORDINALITY AS u(s, t, v, n) ORDER BY t, s, n
        ON CONFLICT DO NOTHING
        RETURNING sensor_id, ts, value
        """;

    private static string MergeDeltaSql(string table) => $"""
        INSERT INTO {table} AS r (sensor_id, bucket, count, sum, min, max, sum_sq, first_ts, first_value, last_ts, last_value)
        SELECT * FROM unnest($1::int4[], $2::timestamptz[], $3::int8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
                             $8::timestamptz[], $9::float8[], $10::timestamptz[], $11::float8[])
        ON CONFLICT (sensor_id, bucket) DO UPDATE SET {MergeRollup}
        """;

    private static readonly string MergeMinutesSql = MergeDeltaSql("rollup_1m");
    private static readonly string MergeHoursSql = MergeDeltaSql("rollup_1h");

    private const int MinutesPerTransaction = 32;
    private const long DeltaBytesPerTransaction = 16L << 20;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ReadingsCopyFormat _copy = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var passTook = TimeSpan.Zero;
            while (!stoppingToken.IsCancellationRequested)
            {
                // One pass per interval, start to start: under heavy ingest a pass that took the whole interval is
                // followed by the next at once, so the worker keeps up with the writer instead of idling an interval.
                var wait = options.CurrentValue.RollupInterval - passTook;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                var started = time.GetTimestamp();
                try
                {
                    await RollUpAsync(all: false, stoppingToken);
                    await packer.PackAsync(stoppingToken);
                }
                catch (Exception e) when (ReadingsDatabase.IsUnavailable(e) && !stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug("Rollup update postponed: the database is unavailable ({Error})", e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Storing readings or updating or packing rollups failed; the deltas and marks stay and are retried");
                }
                passTook = time.GetElapsedTime(started);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await FinalPassAsync();
    }

    /// <summary>
    /// On a graceful stop, what the writer committed is stored and merged before the process ends (the writer has
    /// stopped taking work by then). Bounded in time; whatever is left (and everything after a crash) the next start stores.
    /// </summary>
    private async Task FinalPassAsync()
    {
        using var limit = new CancellationTokenSource(FinalPassTimeout);
        try
        {
            await RollUpAsync(all: false, limit.Token);
        }
        catch (Exception e)
        {
            logger.LogInformation("Readings still waiting at shutdown are stored at the next start ({Error})", e.Message);
        }
    }

    private static readonly TimeSpan FinalPassTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Stores every reading committed so far in <c>readings</c> and brings the rollups of every minute written so far up
    /// to date, open minutes included. Returns the number of readings aggregated (merged from deltas or read again for
    /// recomputed minutes).
    /// </summary>
    public Task<long> FlushAsync(CancellationToken cancellationToken = default) => RollUpAsync(all: true, cancellationToken);

    private async Task<long> RollUpAsync(bool all, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            var started = time.GetTimestamp();
            var current = options.CurrentValue;
            long recomputed = 0;
            long merged = 0;
            var minutesTaken = 0;
            var deltasTaken = 0;
            var stored = 0L;
            var careful = false;
            var partitionRetries = 0;
            bool more;
            do
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
                var pending = new List<PendingReading>();
                PassResult pass;
                // One snapshot for the whole transaction, taken once the lock is held: a delta is either visible here,
                // and then its readings are stored, merged or recomputed below and it is taken now, or it is not.
                await using (var tx = await BeginSerialisedAsync(connection, cancellationToken, System.Data.IsolationLevel.RepeatableRead))
                {
                    try
                    {
                        pass = await PassAsync(connection, tx, all, now, current, careful, pending, cancellationToken);
                        await tx.CommitAsync(cancellationToken);
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && !careful)
                    {
                        // Some reading is stored already: the same deltas again, the careful way.
                        await tx.RollbackAsync(cancellationToken);
                        careful = true;
                        more = true;
                        continue;
                    }
                    catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && pending.Count > 0 && partitionRetries++ < 2)
                    {
                        // A day's partition is missing (retention dropped it after the writer made sure of it): made again,
                        // and the pass is done again; the next maintenance pass drops what is past retention.
                        await tx.RollbackAsync(cancellationToken);
                        partitions.Forget();
                        await partitions.EnsureAsync(connection, pending.Min(r => r.Timestamp), pending.Max(r => r.Timestamp), cancellationToken);
                        more = true;
                        continue;
                    }
                }
                careful = false;
                if (pass.OldestDelta is { } oldestDelta)
                {
                    metrics.Stored(pass.Stored, time.GetUtcNow().UtcDateTime - oldestDelta);
                }
                minutesTaken += pass.Minutes;
                deltasTaken += pass.Deltas;
                merged += pass.Merged;
                recomputed += pass.Recomputed;
                stored += pass.Stored;
                more = pass.Minutes == MinutesPerTransaction || pass.Bytes >= DeltaBytesPerTransaction;
            }
            while (more);
            if (minutesTaken > 0 || deltasTaken > 0)
            {
                logger.LogDebug("Stored {Stored} readings, merged {Deltas} deltas of {Merged} readings and recomputed {Minutes} minutes from {Readings} readings in {Elapsed} ms",
                    stored, deltasTaken, merged, minutesTaken, recomputed, time.GetElapsedTime(started).TotalMilliseconds);
            }
            return recomputed + merged;
        }
        catch (PostgresException e) when (ReadingsDatabase.IsRetryable(e))
        {
            // The deltas and marks stay and are applied on the next pass.
            logger.LogDebug("Rollup update conflicted with another transaction: {Error}", e.Message);
            return 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    private readonly record struct PassResult(int Minutes, int Deltas, long Merged, long Recomputed, long Stored, long Bytes, DateTime? OldestDelta);

    /// <summary>
    /// One transaction's work: takes the due marks and the deltas, stores the deltas' readings (by COPY, or the careful
    /// way), recomputes the marked minutes and merges the rest. <paramref name="pending"/> receives the readings to store.
    /// </summary>
    private async Task<PassResult> PassAsync(NpgsqlConnection connection, NpgsqlTransaction tx, bool all, DateTime now, IngestOptions current,
        bool careful, List<PendingReading> pending, CancellationToken cancellationToken)
    {
        var minutes = await TakeMarksAsync(connection, tx, all, now, current, cancellationToken);
        var skip = minutes.Select(m => m.Ticks).ToHashSet();
        var accumulator = new RollupAccumulator();
        var (deltas, merged, bytes, oldest) = await TakeDeltasAsync(connection, tx, minutes.Length > 0, accumulator, skip, pending, cancellationToken);
        long stored = 0;
        if (pending.Count > 0)
        {
            if (careful)
            {
                stored = await InsertNewAsync(connection, tx, pending, accumulator, skip, cancellationToken);
            }
            else
            {
                // (time, sensor) order: the order of the partitions' unique index, so the rows append at its right edge.
                CollectionsMarshal.AsSpan(pending).Sort(default(TimeSensorOrder));
                stored = await CopyAsync(connection, pending, accumulator, skip, cancellationToken);
            }
            merged += stored;
        }
        long recomputed = 0;
        if (minutes.Length > 0)
        {
            // After the readings are stored: the recomputed minutes include them.
            recomputed = await RecomputeMinutesAsync(connection, tx, minutes, cancellationToken);
        }
        if (accumulator.Count > 0)
        {
            await MergeAsync(connection, tx, accumulator, cancellationToken);
        }
        return new PassResult(minutes.Length, deltas, merged, recomputed, stored, bytes, oldest);
    }

    /// <summary>Copies <paramref name="rows"/> into <c>readings</c> (fails on any stored before) and adds them to the rollups; returns how many.</summary>
    private async Task<long> CopyAsync(NpgsqlConnection connection, List<PendingReading> rows, RollupAccumulator accumulator, IReadOnlySet<long> skipMinutes,
        CancellationToken cancellationToken)
    {
        await using (var copy = await connection.BeginRawBinaryCopyAsync(CopyReadingsSql, cancellationToken))
        {
            await _copy.WriteAsync(copy, rows, cancellationToken);
        }
        foreach (var r in rows)
        {
            accumulator.AddUnlessSkipped(skipMinutes, r.SensorId, r.Timestamp.Ticks, r.Value);
        }
        return rows.Count;
    }

    /// <summary>Inserts the readings of <paramref name="rows"/> not stored yet and adds those to the rollups; returns how many.</summary>
    private static async Task<long> InsertNewAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<PendingReading> rows, RollupAccumulator accumulator,
        IReadOnlySet<long> skipMinutes, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(InsertNewSql, connection, tx)
        {
            Parameters =
            {
                new() { Value = rows.Select(r => r.SensorId).ToArray() },
                new() { Value = rows.Select(r => r.Timestamp).ToArray() },
                new() { Value = rows.Select(r => r.Value).ToArray() },
            },
        };
        long inserted = 0;
        await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            accumulator.AddUnlessSkipped(skipMinutes, reader.GetInt32(0), reader.GetDateTime(1).Ticks, reader.GetDouble(2));
            inserted++;
        }
        return inserted;
    }

    private static async Task<DateTime[]> TakeMarksAsync(NpgsqlConnection connection, NpgsqlTransaction tx, bool all, DateTime now, IngestOptions current,
        CancellationToken cancellationToken)
    {
        var buckets = new List<DateTime>();
        await using var take = new NpgsqlCommand(TakeSql, connection, tx)
        {
            Parameters =
            {
                new() { Value = all },
                new() { Value = now - current.RollupInterval },
                new() { Value = now - current.RollupMaxLag },
                new() { Value = MinutesPerTransaction },
            },
        };
        await using var reader = await take.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            buckets.Add(reader.GetDateTime(0));
        }
        return buckets.ToArray();
    }

    /// <summary>
    /// Takes deltas: the readings of those already stored into <paramref name="accumulator"/> (leaving out the minutes
    /// recomputed in this transaction), the others into <paramref name="pending"/>.
    /// </summary>
    private static async Task<(int Deltas, long Merged, long Bytes, DateTime? Oldest)> TakeDeltasAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        bool everyVisible, RollupAccumulator accumulator, IReadOnlySet<long> skipMinutes, List<PendingReading> pending, CancellationToken cancellationToken)
    {
        await using var take = new NpgsqlCommand(TakeDeltasSql, connection, tx)
        {
            Parameters =
            {
                new() { Value = everyVisible ? DBNull.Value : DeltaBytesPerTransaction, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint },
            },
        };
        var deltas = 0;
        long merged = 0;
        long bytes = 0;
        DateTime? oldest = null;
        var buffer = Array.Empty<byte>();
        try
        {
            await using var reader = await take.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var length = (int)reader.GetBytes(0, 0, null, 0, 0);
                if (buffer.Length < length)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
                }
                reader.GetBytes(0, 0, buffer, 0, length);
                if (reader.GetBoolean(1))
                {
                    merged += RollupDelta.Decode(buffer.AsSpan(0, length), accumulator, skipMinutes);
                }
                else
                {
                    RollupDelta.DecodeTo(buffer.AsSpan(0, length), pending);
                }
                bytes += length;
                deltas++;
                var written = reader.GetDateTime(2);
                oldest = oldest is { } o && o <= written ? o : written;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return (deltas, merged, bytes, oldest);
    }

    /// <summary>Recomputes <paramref name="minutes"/> from the raw rows and marks packed periods among them stale; returns the readings aggregated.</summary>
    private async Task<long> RecomputeMinutesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTime[] minutes, CancellationToken cancellationToken)
    {
        // Marking packed periods stale is a second statement in the same round trip.
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(RecomputeSql) { Parameters = { new() { Value = minutes } } },
                new NpgsqlBatchCommand(RollupPacker.MarkStaleSql) { Parameters = { new() { Value = minutes } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        LogStale(reader.GetInt64(0));
        return total;
    }

    /// <summary>Adds the accumulated readings to their minute and hour rows and marks packed periods among them stale, in one round trip.</summary>
    private async Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction tx, RollupAccumulator accumulator, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, tx)
        {
            BatchCommands =
            {
                Merge(MergeMinutesSql, accumulator.MinuteRows()),
                Merge(MergeHoursSql, accumulator.HourRows()),
                new NpgsqlBatchCommand(RollupPacker.MarkStaleSql) { Parameters = { new() { Value = accumulator.Minutes() } } },
            },
        };
        // The upserts return no result set: the reader starts at the stale marks' count.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        LogStale(reader.GetInt64(0));
    }

    private static NpgsqlBatchCommand Merge(string sql, RollupRows rows) => new(sql)
    {
        Parameters =
        {
            new() { Value = rows.SensorIds }, new() { Value = rows.Buckets }, new() { Value = rows.Counts }, new() { Value = rows.Sums },
            new() { Value = rows.Mins }, new() { Value = rows.Maxes }, new() { Value = rows.SumSqs }, new() { Value = rows.FirstTs },
            new() { Value = rows.FirstValues }, new() { Value = rows.LastTs }, new() { Value = rows.LastValues },
        },
    };

    private void LogStale(long stale)
    {
        if (stale > 0)
        {
            logger.LogDebug("Late readings made {Periods} packed periods stale", stale);
        }
    }

    /// <summary>(time, sensor) order; a struct comparer, so the sort calls no delegate per comparison.</summary>
    private readonly struct TimeSensorOrder : IComparer<PendingReading>
    {
        public int Compare(PendingReading a, PendingReading b) =>
            a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.SensorId.CompareTo(b.SensorId);
    }
}
