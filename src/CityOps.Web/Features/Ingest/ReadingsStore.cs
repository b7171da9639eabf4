using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Writes coalesced batches, each in one transaction on one of two long-lived connections, in three round trips: the raw rows by
/// binary COPY straight into <c>readings</c>; then, with the COMMIT, the batch's readings as one <c>rollup_delta</c>
/// row (merged into the rollups by <see cref="RollupWorker"/>) and the Idempotency-Key claims. When some reading is
/// already stored (the COPY fails on the unique key), a key was already claimed, or the batch repeats a reading or a
/// key, the transaction is rolled back and the batch is written again the careful way: claims first (replaying the
/// answers of keys already answered), then COPY into a temporary staging table and insert only what is new (a re-sent
/// reading is stored once). What that way stored is not known to the writer, so it marks the minutes written to in
/// <c>rollup_pending</c> instead, and the worker recomputes them from the raw rows. Rows are written in (time, sensor)
/// order: the order of the partitions' unique index, so inserts append at its right edge, and one order for every
/// writer, so concurrent writers' COPYs cannot deadlock. The store keeps two connections: when more work waits as a
/// transaction's COMMIT is sent, the next transaction is begun and its COPY started on the other connection, so that
/// round trip overlaps the commit's WAL flush instead of following it.
/// </summary>
internal sealed class ReadingsStore(ReadingsDatabase database, ReadingsPartitions partitions, TimeProvider time) : IAsyncDisposable
{
    private const string InsertNewSql = "INSERT INTO readings (sensor_id, ts, value) SELECT sensor_id, ts, value FROM ingest_staging ON CONFLICT DO NOTHING";

    // Appended, one row per minute written: a mark never waits for another writer's mark of the same minute.
    private const string MarkSql = "INSERT INTO rollup_pending (bucket, dirtied_at) SELECT b, $2 FROM unnest($1::timestamptz[]) AS b";

    private const string DeltaSql = "INSERT INTO rollup_delta (written_at, first_bucket, last_bucket, readings) VALUES ($1, $2, $3, $4)";

    // Claims are taken in key order, so two writers claiming the same keys (a retry while the first try is still
    // being written) wait for each other instead of deadlocking. The careful way skips keys already claimed and
    // replays their answers; the fast way fails on them (unique violation) and the batch is written the careful way.
    private const string ClaimValuesSql = """
        INSERT INTO ingest_requests (api_key_id, idempotency_key, response_json, created_at)
        SELECT k, i, r, $4 FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS t(k, i, r) ORDER BY k, i
        """;
    private const string ClaimSql = ClaimValuesSql + " ON CONFLICT DO NOTHING RETURNING api_key_id, idempotency_key";

    private const string CopyReadingsSql = "COPY readings (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)";

    // Two connections: while one commits, the next transaction's COPY is started on the other.
    private readonly NpgsqlConnection?[] _connections = new NpgsqlConnection?[2];
    private int _current;
    private PreparedCopy? _prepared;
    private readonly ReadingsCopyFormat _copy = new();

    /// <summary>A transaction begun and a COPY into <c>readings</c> started on the current connection, waiting for rows.</summary>
    private sealed record PreparedCopy(NpgsqlTransaction Transaction, NpgsqlRawCopyStream Copy);

    /// <summary>
    /// Writes the items in one transaction. Items whose Idempotency-Key was already answered get
    /// <see cref="IngestWorkItem.ReplayedOutcome"/> and write nothing. Returns the raw rows newly inserted.
    /// When <paramref name="morePending"/> says more work is waiting as the COMMIT is sent, the next transaction's
    /// COPY is started on the other connection meanwhile, so its round trip overlaps the commit.
    /// </summary>
    public async Task<long> WriteAsync(IReadOnlyList<IngestWorkItem> items, Func<bool> morePending, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            item.ReplayedOutcome = null;
        }
        var (first, last, count) = TimeRange(items);
        var keys = ClaimsOf(items, out var repeats);
        var rows = SortedRows(items, count, out var hasDuplicates);
        // The common case, nothing stored before and no key answered before, is one plain COPY and one round trip
        // that writes the delta, takes the claims and commits. Anything else fails that transaction (or is seen
        // before it starts), and the batch is written the careful way. (A savepoint around the COPY would cost a
        // round trip per batch, and every row written under it would carry a subtransaction id that each later
        // reader has to resolve.)
        if (count > 0 && !partitions.Covers(first, last))
        {
            // A prepared COPY holds a lock on readings that creating a partition would wait for.
            await DropPreparedAsync();
            await partitions.EnsureAsync(await ConnectAsync(_current, cancellationToken), first, last, cancellationToken);
        }
        if (!hasDuplicates && repeats.Count == 0 && await TryWriteFastAsync(rows, keys, morePending, cancellationToken) is { } inserted)
        {
            return inserted;
        }
        await DropPreparedAsync();
        return await WriteCarefullyAsync(await ConnectAsync(_current, cancellationToken), items, count, cancellationToken);
    }

    /// <summary>
    /// COPY, then delta, claims and COMMIT in one round trip. Null when a reading is stored already or a key was
    /// claimed before (rolled back).
    /// </summary>
    private async Task<long?> TryWriteFastAsync(PendingReading[] rows, IngestWorkItem[] keys, Func<bool> morePending,
        CancellationToken cancellationToken)
    {
        var prepared = _prepared ?? await PrepareAsync(_current, cancellationToken);
        _prepared = null;
        var connection = _connections[_current]!;
        await using var tx = prepared.Transaction;
        byte[]? encoded = null;
        Task<PreparedCopy>? next = null;
        try
        {
            await using (var copy = prepared.Copy)
            {
                await _copy.WriteAsync(copy, rows, cancellationToken);
            }
            await using var batch = new NpgsqlBatch(connection);
            if (rows.Length > 0)
            {
                var bytes = rows.Length * RollupDelta.BytesPerReading;
                encoded = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes);
                RollupDelta.Encode(rows, encoded);
                batch.BatchCommands.Add(new NpgsqlBatchCommand(DeltaSql)
                {
                    Parameters =
                    {
                        new() { Value = time.GetUtcNow().UtcDateTime },
                        new() { Value = Minute(rows[0].Timestamp) },
                        new() { Value = Minute(rows[^1].Timestamp) },
                        new() { Value = new ArraySegment<byte>(encoded, 0, bytes), NpgsqlDbType = NpgsqlDbType.Bytea },
                    },
                });
            }
            if (keys.Length > 0)
            {
                batch.BatchCommands.Add(ClaimCommand(ClaimValuesSql, keys));
            }
            // COMMIT in the same round trip; a failure of any statement before it aborts the transaction instead.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            var committing = batch.ExecuteNonQueryAsync(cancellationToken);
            // Only when more work waits: a prepared COPY is an open transaction, which must not wait for work to come.
            next = morePending() ? PrepareAsync(1 - _current, cancellationToken) : null;
            await committing;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(cancellationToken);
            return null;
        }
        finally
        {
            if (encoded is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(encoded);
            }
            if (next is not null)
            {
                await AdoptAsync(next);
            }
        }
        return rows.Length;
    }

    /// <summary>On the connection <paramref name="turn"/>: BEGIN and COPY into readings, waiting for rows.</summary>
    private async Task<PreparedCopy> PrepareAsync(int turn, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(turn, cancellationToken);
        var tx = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            return new PreparedCopy(tx, await connection.BeginRawBinaryCopyAsync(CopyReadingsSql, cancellationToken));
        }
        catch
        {
            await tx.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes the COPY prepared on the other connection the next transaction's; a failure to prepare it is left to that transaction.</summary>
    private async Task AdoptAsync(Task<PreparedCopy> next)
    {
        try
        {
            _prepared = await next;
            _current = 1 - _current;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // The next transaction prepares its COPY itself, on a fresh connection if this one broke.
        }
    }

    /// <summary>Abandons a prepared COPY (its transaction rolls back): the next transaction goes another way.</summary>
    private async Task DropPreparedAsync()
    {
        if (_prepared is not { } prepared)
        {
            return;
        }
        _prepared = null;
        try
        {
            await prepared.Copy.CancelAsync();
            await prepared.Transaction.RollbackAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // A broken connection is discarded; the next transaction opens a fresh one.
            await ResetConnectionAsync(_current);
        }
        finally
        {
            await prepared.Copy.DisposeAsync();
            await prepared.Transaction.DisposeAsync();
        }
    }

    /// <summary>
    /// Claims first (items whose Idempotency-Key was already answered get <see cref="IngestWorkItem.ReplayedOutcome"/>
    /// and write nothing), minutes marked, then the new rows through the staging table.
    /// </summary>
    private async Task<long> WriteCarefullyAsync(NpgsqlConnection connection, IReadOnlyList<IngestWorkItem> items, int count,
        CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ClaimAndMarkAsync(connection, tx, items, count, cancellationToken);
        var rows = SortedRows(items, count, out _);
        long inserted = 0;
        if (rows.Length > 0)
        {
            await CopyAsync(connection, "ingest_staging", rows, cancellationToken);
            await using var insert = new NpgsqlCommand(InsertNewSql, connection, tx);
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return inserted;
    }

    /// <summary>Drops the connections after a failure; the next write opens fresh ones.</summary>
    public async Task ResetAsync()
    {
        _prepared = null;
        for (var i = 0; i < _connections.Length; i++)
        {
            await ResetConnectionAsync(i);
        }
    }

    public async ValueTask DisposeAsync() => await ResetAsync();

    private async Task ResetConnectionAsync(int turn)
    {
        if (_connections[turn] is { } c)
        {
            _connections[turn] = null;
            try
            {
                await c.DisposeAsync();
            }
            catch (Exception e) when (ReadingsDatabase.IsUnavailable(e))
            {
                // A broken connection may fail to close cleanly; it is discarded either way.
            }
        }
    }

    private async Task<NpgsqlConnection> ConnectAsync(int turn, CancellationToken cancellationToken)
    {
        if (_connections[turn] is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }
        await ResetConnectionAsync(turn);
        var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var create = new NpgsqlCommand(
                "CREATE TEMP TABLE IF NOT EXISTS ingest_staging (sensor_id int NOT NULL, ts timestamptz NOT NULL, value float8 NOT NULL) ON COMMIT DELETE ROWS",
                connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        _connections[turn] = connection;
        return connection;
    }

    /// <summary>
    /// Takes the batch's Idempotency-Key claims, replaying the answers of keys already answered, and, in the same
    /// round trip, marks the minutes of every item.
    /// </summary>
    private async Task ClaimAndMarkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IngestWorkItem> items, int count,
        CancellationToken cancellationToken)
    {
        var keys = ClaimsOf(items, out var repeats);
        if (keys.Length == 0 && count == 0)
        {
            return;
        }
        await using var batch = new NpgsqlBatch(connection, tx);
        if (count > 0)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(MarkSql)
            {
                Parameters = { new() { Value = Minutes(items) }, new() { Value = time.GetUtcNow().UtcDateTime } },
            });
        }
        if (keys.Length > 0)
        {
            // A concurrent transaction holding the same key (another instance) makes this wait for its outcome.
            batch.BatchCommands.Add(ClaimCommand(ClaimSql, keys));
        }
        var claimed = new HashSet<(Guid, string)>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // The mark returns no rows; the claim returns the keys this transaction took.
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    claimed.Add((reader.GetGuid(0), reader.GetString(1)));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }
        var answered = keys.Where(k => !claimed.Contains((k.ApiKeyId, k.IdempotencyKey!))).ToArray();
        if (answered.Length > 0)
        {
            await ReplayAsync(connection, tx, answered, cancellationToken);
        }
        foreach (var (item, earlier) in repeats)
        {
            item.ReplayedOutcome = earlier.ReplayedOutcome ?? earlier.Outcome;
        }
    }

    /// <summary>The items that claim an Idempotency-Key: within the batch the first one with a key; later ones repeat it.</summary>
    private static IngestWorkItem[] ClaimsOf(IReadOnlyList<IngestWorkItem> items, out List<(IngestWorkItem Item, IngestWorkItem Earlier)> repeats)
    {
        var claims = new Dictionary<(Guid, string), IngestWorkItem>();
        repeats = [];
        foreach (var item in items)
        {
            if (item.IdempotencyKey is null)
            {
                continue;
            }
            if (claims.TryGetValue((item.ApiKeyId, item.IdempotencyKey), out var earlier))
            {
                repeats.Add((item, earlier));
            }
            else
            {
                claims.Add((item.ApiKeyId, item.IdempotencyKey), item);
            }
        }
        return [.. claims.Values];
    }

    private NpgsqlBatchCommand ClaimCommand(string sql, IngestWorkItem[] keys) => new(sql)
    {
        Parameters =
        {
            new() { Value = keys.Select(k => k.ApiKeyId).ToArray() },
            new() { Value = keys.Select(k => k.IdempotencyKey!).ToArray() },
            new() { Value = keys.Select(k => JsonSerializer.Serialize(k.Outcome, IngestJsonContext.Default.IngestOutcome)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
            new() { Value = time.GetUtcNow().UtcDateTime },
        },
    };

    private static DateTime Minute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    private static async Task ReplayAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IngestWorkItem[] answered, CancellationToken cancellationToken)
    {
        await using var lookup = new NpgsqlCommand("""
            SELECT r.api_key_id, r.idempotency_key, r.response_json::text FROM ingest_requests r
            JOIN unnest($1::uuid[], $2::text[]) AS t(k, i) ON r.api_key_id = t.k AND r.idempotency_key = t.i
            """, connection, tx)
        {
            Parameters =
            {
                new() { Value = answered.Select(k => k.ApiKeyId).ToArray() },
                new() { Value = answered.Select(k => k.IdempotencyKey!).ToArray() },
            },
        };
        var stored = new Dictionary<(Guid, string), IngestOutcome>();
        await using (var reader = await lookup.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                stored[(reader.GetGuid(0), reader.GetString(1))] =
                    JsonSerializer.Deserialize(reader.GetString(2), IngestJsonContext.Default.IngestOutcome)!;
            }
        }
        foreach (var item in answered)
        {
            item.ReplayedOutcome = stored[(item.ApiKeyId, item.IdempotencyKey!)];
        }
    }

    /// <summary>The distinct UTC minutes of the items' readings, in order.</summary>
    private static DateTime[] Minutes(IReadOnlyList<IngestWorkItem> items)
    {
        var minutes = new SortedSet<long>();
        foreach (var item in items)
        {
            var previous = long.MinValue;
            foreach (var r in item.Readings)
            {
                var minute = r.Timestamp.Ticks - r.Timestamp.Ticks % TimeSpan.TicksPerMinute;
                if (minute != previous)
                {
                    minutes.Add(minute);
                    previous = minute;
                }
            }
        }
        return minutes.Select(m => new DateTime(m, DateTimeKind.Utc)).ToArray();
    }

    private async Task CopyAsync(NpgsqlConnection connection, string table, PendingReading[] rows, CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginRawBinaryCopyAsync(
            $"COPY {table} (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)", cancellationToken);
        await _copy.WriteAsync(copy, rows, cancellationToken);
    }

    /// <summary>
    /// The readings to write in (time, sensor) order, the order of the unique index and the lock order every
    /// writer follows so that concurrent writers cannot deadlock. <paramref name="hasDuplicates"/>: two requests of the batch carry the same reading.
    /// </summary>
    private static PendingReading[] SortedRows(IReadOnlyList<IngestWorkItem> items, int count, out bool hasDuplicates)
    {
        var rows = new PendingReading[count];
        var n = 0;
        foreach (var item in items)
        {
            if (item.ReplayedOutcome is not null)
            {
                continue;
            }
            foreach (var r in item.Readings)
            {
                rows[n++] = r;
            }
        }
        if (n < rows.Length)
        {
            Array.Resize(ref rows, n);
        }
        rows.AsSpan().Sort(default(TimeSensorOrder));
        hasDuplicates = false;
        for (var i = 1; i < rows.Length && !hasDuplicates; i++)
        {
            hasDuplicates = rows[i].SensorId == rows[i - 1].SensorId && rows[i].Timestamp == rows[i - 1].Timestamp;
        }
        return rows;
    }

    private static (DateTime First, DateTime Last, int Count) TimeRange(IReadOnlyList<IngestWorkItem> items)
    {
        var first = DateTime.MaxValue;
        var last = DateTime.MinValue;
        var count = 0;
        foreach (var item in items)
        {
            foreach (var r in item.Readings)
            {
                if (r.Timestamp < first)
                {
                    first = r.Timestamp;
                }
                if (r.Timestamp > last)
                {
                    last = r.Timestamp;
                }
            }
            count += item.Readings.Count;
        }
        return (first, last, count);
    }

    /// <summary>(time, sensor) order; a struct comparer, so the sort on the writer's path calls no delegate per comparison.</summary>
    private readonly struct TimeSensorOrder : IComparer<PendingReading>
    {
        public int Compare(PendingReading a, PendingReading b) =>
            a.Timestamp != b.Timestamp ? a.Timestamp.CompareTo(b.Timestamp) : a.SensorId.CompareTo(b.SensorId);
    }
}
