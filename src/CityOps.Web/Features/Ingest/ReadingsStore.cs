using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Writes coalesced batches, each in one transaction and one round trip: the batch's readings as one
/// <c>rollup_delta</c> row (<c>stored = false</c>), the Idempotency-Key claims, and the COMMIT. That row is the durable
/// record of the readings; <see cref="RollupWorker"/> stores them in <c>readings</c> in large COPYs and merges them into
/// the rollups, so the writer's transaction, the serial part of ingest, does no per-row index work. When a key was
/// already claimed, or the batch repeats a key, the transaction is rolled back and the batch is written again the
/// careful way: claims first (replaying the answers of keys already answered), then the delta of the rest.
/// Re-sent readings are not the writer's concern: the worker stores each (sensor, time) once.
/// </summary>
internal sealed class ReadingsStore(ReadingsDatabase database, ReadingsPartitions partitions, TimeProvider time) : IAsyncDisposable
{
    private const string DeltaSql = "INSERT INTO rollup_delta (written_at, first_bucket, last_bucket, readings, stored) VALUES ($1, $2, $3, $4, false)";

    // Claims are taken in key order, so two writers claiming the same keys (a retry while the first try is still
    // being written) wait for each other instead of deadlocking. The careful way skips keys already claimed and
    // replays their answers; the fast way fails on them (unique violation) and the batch is written the careful way.
    private const string ClaimValuesSql = """
        INSERT INTO ingest_requests (api_key_id, idempotency_key, response_json, created_at)
        SELECT k, i, r, $4 FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS t(k, i, r) ORDER BY k, i
        """;
    private const string ClaimSql = ClaimValuesSql + " ON CONFLICT DO NOTHING RETURNING api_key_id, idempotency_key";

    private NpgsqlConnection? _connection;

    /// <summary>
    /// Writes the items in one transaction. Items whose Idempotency-Key was already answered get
    /// <see cref="IngestWorkItem.ReplayedOutcome"/> and write nothing. Returns the readings written.
    /// </summary>
    public async Task<long> WriteAsync(IReadOnlyList<IngestWorkItem> items, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            item.ReplayedOutcome = null;
        }
        var (first, last, count) = TimeRange(items);
        var keys = ClaimsOf(items, out var repeats);
        var connection = await ConnectAsync(cancellationToken);
        // The worker stores the readings into their day's partition; it must exist by then (a cache makes this free).
        if (count > 0 && !partitions.Covers(first, last))
        {
            await partitions.EnsureAsync(connection, first, last, cancellationToken);
        }
        if (repeats.Count == 0 && await TryWriteFastAsync(connection, items, keys, count, cancellationToken) is { } written)
        {
            return written;
        }
        return await WriteCarefullyAsync(connection, items, cancellationToken);
    }

    /// <summary>Delta, claims and COMMIT in one round trip. Null when a key was claimed before (rolled back).</summary>
    private async Task<long?> TryWriteFastAsync(NpgsqlConnection connection, IReadOnlyList<IngestWorkItem> items, IngestWorkItem[] keys, int count,
        CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch(connection, tx);
            if (keys.Length > 0)
            {
                batch.BatchCommands.Add(ClaimCommand(ClaimValuesSql, keys));
            }
            // COMMIT in the same round trip; a failure of any statement before it aborts the transaction instead.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await ExecuteWithDeltaAsync(batch, items, count, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(cancellationToken);
            return null;
        }
        return count;
    }

    /// <summary>
    /// Claims first (items whose Idempotency-Key was already answered get <see cref="IngestWorkItem.ReplayedOutcome"/>
    /// and write nothing), then the delta of the other items' readings.
    /// </summary>
    private async Task<long> WriteCarefullyAsync(NpgsqlConnection connection, IReadOnlyList<IngestWorkItem> items, CancellationToken cancellationToken)
    {
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ClaimAsync(connection, tx, items, cancellationToken);
        var count = items.Where(i => i.ReplayedOutcome is null).Sum(i => i.Readings.Count);
        if (count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, tx);
            await ExecuteWithDeltaAsync(batch, items, count, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// Runs <paramref name="batch"/> with the delta row of the items' <paramref name="count"/> readings not replayed (when
    /// there are any) as its first statement, encoded into a pooled buffer.
    /// </summary>
    private async Task ExecuteWithDeltaAsync(NpgsqlBatch batch, IReadOnlyList<IngestWorkItem> items, int count, CancellationToken cancellationToken)
    {
        var encoded = count > 0 ? System.Buffers.ArrayPool<byte>.Shared.Rent(count * RollupDelta.BytesPerReading) : null;
        try
        {
            if (encoded is not null)
            {
                batch.BatchCommands.Insert(0, DeltaCommand(items, encoded));
            }
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            if (encoded is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(encoded);
            }
        }
    }

    /// <summary>The readings of the items not replayed, encoded into <paramref name="buffer"/>, as the delta row's insert.</summary>
    private NpgsqlBatchCommand DeltaCommand(IReadOnlyList<IngestWorkItem> items, byte[] buffer)
    {
        var n = 0;
        var first = long.MaxValue;
        var last = long.MinValue;
        foreach (var item in items)
        {
            if (item.ReplayedOutcome is not null)
            {
                continue;
            }
            foreach (var r in item.Readings)
            {
                RollupDelta.Encode(r, buffer.AsSpan(n * RollupDelta.BytesPerReading));
                first = Math.Min(first, r.Timestamp.Ticks);
                last = Math.Max(last, r.Timestamp.Ticks);
                n++;
            }
        }
        return new NpgsqlBatchCommand(DeltaSql)
        {
            Parameters =
            {
                new() { Value = time.GetUtcNow().UtcDateTime },
                new() { Value = Minute(first) },
                new() { Value = Minute(last) },
                new() { Value = new ArraySegment<byte>(buffer, 0, n * RollupDelta.BytesPerReading), NpgsqlDbType = NpgsqlDbType.Bytea },
            },
        };
    }

    /// <summary>Drops the connection after a failure; the next write opens a fresh one.</summary>
    public async Task ResetAsync()
    {
        if (_connection is { } c)
        {
            _connection = null;
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

    public async ValueTask DisposeAsync() => await ResetAsync();

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { State: System.Data.ConnectionState.Open } open)
        {
            return open;
        }
        await ResetAsync();
        _connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return _connection;
    }

    /// <summary>Takes the batch's Idempotency-Key claims, replaying the answers of keys already answered.</summary>
    private async Task ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IngestWorkItem> items, CancellationToken cancellationToken)
    {
        var keys = ClaimsOf(items, out var repeats);
        if (keys.Length > 0)
        {
            await ClaimKeysAsync(connection, tx, keys, cancellationToken);
        }
        foreach (var (item, earlier) in repeats)
        {
            item.ReplayedOutcome = earlier.ReplayedOutcome ?? earlier.Outcome;
        }
    }

    private async Task ClaimKeysAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IngestWorkItem[] keys, CancellationToken cancellationToken)
    {
        // A concurrent transaction holding the same key (another instance) makes this wait for its outcome.
        await using var batch = new NpgsqlBatch(connection, tx) { BatchCommands = { ClaimCommand(ClaimSql, keys) } };
        var claimed = new HashSet<(Guid, string)>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // The claim returns the keys this transaction took.
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }
        var answered = keys.Where(k => !claimed.Contains((k.ApiKeyId, k.IdempotencyKey!))).ToArray();
        if (answered.Length > 0)
        {
            await ReplayAsync(connection, tx, answered, cancellationToken);
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

    private static DateTime Minute(long ticks) => new(ticks - ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

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
}
