using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Writes coalesced batches in one transaction on one long-lived connection: idempotency records, a
/// binary COPY into a temporary staging table, then one statement that inserts the raw rows (a re-sent
/// reading is stored once) and merges only the rows actually inserted into the 1-minute and 1-hour
/// rollups. Rows are inserted and merged in (sensor, time) order so concurrent writers cannot deadlock.
/// </summary>
internal sealed class ReadingsStore(ReadingsDatabase database, ReadingsPartitions partitions, TimeProvider time) : IAsyncDisposable
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
    private static readonly string InsertSql = $"""
        WITH ins AS (
            INSERT INTO readings (sensor_id, ts, value)
            SELECT sensor_id, ts, value FROM ingest_staging ORDER BY sensor_id, ts
            ON CONFLICT DO NOTHING
            RETURNING sensor_id, ts, value
        ), g AS (
            SELECT sensor_id, date_bin('1 minute', ts, {Origin}) AS bucket,
                   count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max, sum(value * value) AS sum_sq,
                   min(ts) AS first_ts, (min(ARRAY[date_part('epoch', ts), value]))[2] AS first_value,
                   max(ts) AS last_ts, (max(ARRAY[date_part('epoch', ts), value]))[2] AS last_value
            FROM ins GROUP BY 1, 2
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
        SELECT count(*) FROM ins
        """;

    private NpgsqlConnection? _connection;

    /// <summary>
    /// Writes the items in one transaction. Items whose Idempotency-Key was already answered get
    /// <see cref="IngestWorkItem.ReplayedOutcome"/> and write nothing. Returns the raw rows newly inserted.
    /// </summary>
    public async Task<long> WriteAsync(IReadOnlyList<IngestWorkItem> items, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken);
        var (first, last, count) = TimeRange(items);
        if (count > 0)
        {
            await partitions.EnsureAsync(connection, first, last, cancellationToken);
        }
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ClaimIdempotencyKeysAsync(connection, items, cancellationToken);
        long inserted = 0;
        if (items.Any(i => i.ReplayedOutcome is null && i.Readings.Count > 0))
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY ingest_staging (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var item in items)
                {
                    if (item.ReplayedOutcome is not null)
                    {
                        continue;
                    }
                    foreach (var r in item.Readings)
                    {
                        copy.StartRow();
                        copy.Write(r.SensorId, NpgsqlDbType.Integer);
                        copy.Write(r.Timestamp, NpgsqlDbType.TimestampTz);
                        copy.Write(r.Value, NpgsqlDbType.Double);
                    }
                }
                await copy.CompleteAsync(cancellationToken);
            }
            await using var insert = new NpgsqlCommand(InsertSql, connection, tx);
            inserted = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }
        await tx.CommitAsync(cancellationToken);
        return inserted;
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
        _connection = connection;
        return connection;
    }

    private async Task ClaimIdempotencyKeysAsync(NpgsqlConnection connection, IReadOnlyList<IngestWorkItem> items, CancellationToken cancellationToken)
    {
        // Within the batch, the first request with a key claims it; later ones replay its answer.
        var claims = new Dictionary<(Guid, string), IngestWorkItem>();
        var repeats = new List<(IngestWorkItem Item, IngestWorkItem Earlier)>();
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
        if (claims.Count == 0)
        {
            return;
        }
        await ClaimAsync(connection, claims.Values.ToArray(), cancellationToken);
        foreach (var (item, earlier) in repeats)
        {
            item.ReplayedOutcome = earlier.ReplayedOutcome ?? earlier.Outcome;
        }
    }

    private async Task ClaimAsync(NpgsqlConnection connection, IngestWorkItem[] keys, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // A concurrent transaction holding the same key (another instance) makes this wait for its outcome.
        await using var claim = new NpgsqlCommand("""
            INSERT INTO ingest_requests (api_key_id, idempotency_key, response_json, created_at)
            SELECT k, i, r, $4 FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS t(k, i, r)
            ON CONFLICT DO NOTHING
            RETURNING api_key_id, idempotency_key
            """, connection)
        {
            Parameters =
            {
                new() { Value = keys.Select(k => k.ApiKeyId).ToArray() },
                new() { Value = keys.Select(k => k.IdempotencyKey!).ToArray() },
                new() { Value = keys.Select(k => JsonSerializer.Serialize(k.Outcome, IngestJsonContext.Default.IngestOutcome)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                new() { Value = now },
            },
        };
        var claimed = new HashSet<(Guid, string)>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }
        var answered = keys.Where(k => !claimed.Contains((k.ApiKeyId, k.IdempotencyKey!))).ToArray();
        if (answered.Length == 0)
        {
            return;
        }
        await using var lookup = new NpgsqlCommand("""
            SELECT r.api_key_id, r.idempotency_key, r.response_json::text FROM ingest_requests r
            JOIN unnest($1::uuid[], $2::text[]) AS t(k, i) ON r.api_key_id = t.k AND r.idempotency_key = t.i
            """, connection)
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
