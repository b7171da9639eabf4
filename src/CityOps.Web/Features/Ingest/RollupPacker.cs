using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Packs closed periods of the rollups into one row per sensor and period (<c>rollup_1m_by_hour</c>: an hour of
/// minute buckets; <c>rollup_1h_by_day</c>: a UTC day of hour buckets), so that chart reads fetch a few wide rows
/// instead of one row per bucket. <c>rollup_packing</c> holds, per resolution, the watermark before which every
/// period is packed; readers take packed rows before it and rollup rows at and after it in one statement.
/// A period is packed once it ended more than <see cref="Grace"/> ago and no minute before its end awaits its rollup
/// update (a mark or a delta of <see cref="RollupWorker"/>); the period's rows and the watermark move in one
/// transaction. Minutes updated later for an already packed period mark it stale in the update's transaction
/// (<see cref="MarkStaleSql"/>): readers then take that period from the rollup rows, and a later pass rebuilds its
/// packed rows once none of its minutes awaits an update, so what a reader gets always equals the rollup rows. Runs
/// under the rollup worker's lock, so it never interleaves with an update.
/// </summary>
internal sealed class RollupPacker(ReadingsDatabase database, IOptionsMonitor<IngestOptions> options, TimeProvider time, ILogger<RollupPacker> logger)
{
    private const string Origin = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

    // One period per transaction keeps each step short (the rollup lock also holds back the rollup worker); a pass
    // stops after this many steps, so catching up on a long history is spread over passes.
    private const int StepsPerPass = 24;

    // An empty period is followed by a probe of this many periods: nothing there lets the watermark jump over all
    // of them at once (an idle fleet, a gap in the data), something there makes the packer walk them one by one.
    private const int ProbePeriods = 24;

    /// <summary>How one rollup table is packed.</summary>
    internal sealed record Packing(string Resolution, string Source, string Target, string PeriodColumn, string Period, TimeSpan Width, int UnitSeconds, string CountType)
    {
        /// <summary>Bytes of one bucket's count in the packed <c>count</c> column.</summary>
        public int CountBytes => CountType == "int4" ? 4 : 8;

        /// <summary>The packed columns of the <paramref name="source"/> rows grouped by sensor and <paramref name="period"/> (an expression).</summary>
        public string Aggregates(string period) => $"""
            string_agg(int2send((extract(epoch FROM r.bucket - {period}) / {UnitSeconds})::smallint), ''::bytea ORDER BY r.bucket),
            string_agg({CountType}send(r.count::{CountType}), ''::bytea ORDER BY r.bucket),
            string_agg(float8send(r.sum), ''::bytea ORDER BY r.bucket),
            string_agg(float8send(r.min), ''::bytea ORDER BY r.bucket),
            string_agg(float8send(r.max), ''::bytea ORDER BY r.bucket)
            """;

        public string Upsert => $"""
            ON CONFLICT (sensor_id, {PeriodColumn}) DO UPDATE SET
                offsets = excluded.offsets, count = excluded.count, sum = excluded.sum, min = excluded.min, max = excluded.max
            """;

        public DateTime Floor(DateTime utc) => new(utc.Ticks - utc.Ticks % Width.Ticks, DateTimeKind.Utc);
    }

    public static readonly Packing Minutes = new("minute", "rollup_1m", "rollup_1m_by_hour", "hour", "1 hour", TimeSpan.FromHours(1), 60, "int4");

    public static readonly Packing Hours = new("hour", "rollup_1h", "rollup_1h_by_day", "day", "1 day", TimeSpan.FromDays(1), 3600, "int8");

    /// <summary>
    /// Run after an update (recomputation or merge) of the minutes <c>$1</c>, in the same transaction: marks each already packed period
    /// those minutes belong to (an hour for the minute rollups, a day for the hourly ones) as stale in
    /// <c>rollup_repack</c>. Readers take a stale period from the rollup rows, and the packer rebuilds its packed rows
    /// once no minute of it awaits an update (<see cref="PackAsync"/>). Rebuilding here instead cost a whole
    /// period of every sensor per update while a backlog of late readings streamed in. For minutes of periods
    /// not yet packed (the normal case) it reads nothing but the watermarks. Returns the periods newly marked.
    /// </summary>
    public static readonly string MarkStaleSql = $"""
        WITH w AS (
            SELECT (SELECT packed_through FROM rollup_packing WHERE resolution = '{Minutes.Resolution}') AS minutes,
                   (SELECT packed_through FROM rollup_packing WHERE resolution = '{Hours.Resolution}') AS hours
        ), marked AS (
            INSERT INTO rollup_repack (resolution, period)
            SELECT DISTINCT t.resolution, t.period FROM (
                SELECT '{Minutes.Resolution}' AS resolution, date_bin('{Minutes.Period}', b.bucket, {Origin}) AS period
                FROM unnest($1::timestamptz[]) AS b(bucket) CROSS JOIN w WHERE b.bucket < w.minutes
                UNION ALL
                SELECT '{Hours.Resolution}', date_bin('{Hours.Period}', b.bucket, {Origin})
                FROM unnest($1::timestamptz[]) AS b(bucket) CROSS JOIN w WHERE b.bucket < w.hours
            ) t
            ORDER BY 1, 2
            ON CONFLICT DO NOTHING
            RETURNING 1
        )
        SELECT count(*) FROM marked
        """;

    /// <summary>How long after its end a period may be packed: past the longest wait of a minute for its rollups.</summary>
    public TimeSpan Grace => options.CurrentValue.RollupMaxLag + TimeSpan.FromMinutes(1);

    /// <summary>
    /// One bounded pass over both resolutions. Returns the number of steps that moved a watermark (0: nothing to do
    /// now), so a caller that wants everything packed repeats until 0.
    /// </summary>
    public async Task<int> PackAsync(CancellationToken cancellationToken)
    {
        var steps = 0;
        foreach (var packing in new[] { Minutes, Hours })
        {
            for (var i = 0; i < StepsPerPass && await RepackAsync(packing, cancellationToken); i++)
            {
                steps++;
            }
            for (var i = 0; i < StepsPerPass && await StepAsync(packing, cancellationToken); i++)
            {
                steps++;
            }
        }
        return steps;
    }

    /// <summary>Packs the period at the watermark (or jumps over empty ones) in one transaction. False: nothing could move.</summary>
    private async Task<bool> StepAsync(Packing packing, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await RollupWorker.BeginSerialisedAsync(connection, cancellationToken);
        DateTime? watermark;
        DateTime? firstPending;
        await using (var state = new NpgsqlCommand(
            "SELECT (SELECT packed_through FROM rollup_packing WHERE resolution = $1), " +
            "least((SELECT min(bucket) FROM rollup_pending), (SELECT min(first_bucket) FROM rollup_delta))", connection, tx)
        {
            Parameters = { new() { Value = packing.Resolution } },
        })
        await using (var reader = await state.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            watermark = reader.IsDBNull(0) ? null : reader.GetDateTime(0);
            firstPending = reader.IsDBNull(1) ? null : reader.GetDateTime(1);
        }
        // Periods before the limit have ended more than the grace ago and have no minute awaiting its rollup update.
        var limit = packing.Floor(time.GetUtcNow().UtcDateTime - Grace);
        if (firstPending is { } pending && packing.Floor(pending) < limit)
        {
            limit = packing.Floor(pending);
        }
        DateTime next;
        if (watermark is not { } from)
        {
            // Before the first packing, everything before the earliest rollup row is (emptily) packed.
            var earliest = await EarliestAsync(connection, tx, packing, cancellationToken);
            if (earliest is null)
            {
                return false;
            }
            next = packing.Floor(earliest.Value);
        }
        else if (from >= limit)
        {
            return false;
        }
        else
        {
            var to = from + packing.Width;
            var rows = await PackPeriodAsync(connection, tx, packing, from, cancellationToken);
            next = to;
            if (rows == 0)
            {
                var probeEnd = to + packing.Width * ProbePeriods;
                probeEnd = probeEnd < limit ? probeEnd : limit;
                if (probeEnd > to && !await AnyAsync(connection, tx, packing, to, probeEnd, cancellationToken))
                {
                    next = probeEnd;
                }
            }
            logger.LogDebug("Packed {Rows} {Target} rows of {From:u}; watermark now {Next:u}", rows, packing.Target, from, next);
        }
        await using (var move = new NpgsqlCommand("UPDATE rollup_packing SET packed_through = $2 WHERE resolution = $1", connection, tx)
        {
            Parameters = { new() { Value = packing.Resolution }, new NpgsqlParameter<DateTime> { TypedValue = next } },
        })
        {
            await move.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Rebuilds the packed rows of the earliest stale period of <paramref name="packing"/> whose minutes are all
    /// up to date (no mark or delta left), and clears its mark, in one transaction. False: no such period.
    /// </summary>
    private async Task<bool> RepackAsync(Packing packing, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await RollupWorker.BeginSerialisedAsync(connection, cancellationToken);
        await using var find = new NpgsqlCommand($"""
            SELECT d.period FROM rollup_repack d
            WHERE d.resolution = $1
              AND NOT EXISTS (SELECT 1 FROM rollup_pending m WHERE m.bucket >= d.period AND m.bucket < d.period + INTERVAL '{packing.Period}')
              AND NOT EXISTS (SELECT 1 FROM rollup_delta x WHERE x.last_bucket >= d.period AND x.first_bucket < d.period + INTERVAL '{packing.Period}')
            ORDER BY d.period LIMIT 1
            """, connection, tx)
        {
            Parameters = { new() { Value = packing.Resolution } },
        };
        if (await find.ExecuteScalarAsync(cancellationToken) is not DateTime period)
        {
            return false;
        }
        var rows = await PackPeriodAsync(connection, tx, packing, period, cancellationToken);
        await using (var clear = new NpgsqlCommand("DELETE FROM rollup_repack WHERE resolution = $1 AND period = $2", connection, tx)
        {
            Parameters = { new() { Value = packing.Resolution }, new NpgsqlParameter<DateTime> { TypedValue = period } },
        })
        {
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        logger.LogDebug("Repacked {Rows} {Target} rows of {Period:u} after late readings", rows, packing.Target, period);
        return true;
    }

    /// <summary>Writes the packed rows of every sensor with rollup rows in the period starting at <paramref name="from"/>; rollup rows never disappear, so an upsert is exact.</summary>
    private static async Task<int> PackPeriodAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Packing packing, DateTime from, CancellationToken cancellationToken)
    {
        await using var pack = new NpgsqlCommand($"""
            INSERT INTO {packing.Target} AS p (sensor_id, {packing.PeriodColumn}, offsets, count, sum, min, max)
            SELECT r.sensor_id, $1, {packing.Aggregates("$1")}
            FROM {packing.Source} r
            WHERE r.bucket >= $1 AND r.bucket < $2 AND r.count > 0
            GROUP BY r.sensor_id ORDER BY r.sensor_id
            {packing.Upsert}
            """, connection, tx)
        {
            Parameters = { new NpgsqlParameter<DateTime> { TypedValue = from }, new NpgsqlParameter<DateTime> { TypedValue = from + packing.Width } },
        };
        return await pack.ExecuteNonQueryAsync(cancellationToken);
    }

    // The earliest bucket, one index probe per sensor on the (sensor_id, bucket) key (PostgreSQL 15 has no skip
    // scan, and min(bucket) alone would read the whole table). Runs once, when there is no watermark yet.
    private static async Task<DateTime?> EarliestAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Packing packing, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"""
            WITH RECURSIVE s AS (
                (SELECT sensor_id FROM {packing.Source} ORDER BY sensor_id LIMIT 1)
                UNION ALL
                SELECT (SELECT r.sensor_id FROM {packing.Source} r WHERE r.sensor_id > s.sensor_id ORDER BY r.sensor_id LIMIT 1)
                FROM s WHERE s.sensor_id IS NOT NULL
            )
            SELECT min(f.bucket) FROM s
            CROSS JOIN LATERAL (SELECT r.bucket FROM {packing.Source} r WHERE r.sensor_id = s.sensor_id ORDER BY r.bucket LIMIT 1) f
            """, connection, tx);
        return await cmd.ExecuteScalarAsync(cancellationToken) is DateTime earliest ? earliest : null;
    }

    private static async Task<bool> AnyAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, Packing packing, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {packing.Source} WHERE bucket >= $1 AND bucket < $2)", connection, tx)
        {
            Parameters = { new NpgsqlParameter<DateTime> { TypedValue = from }, new NpgsqlParameter<DateTime> { TypedValue = to } },
        };
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }
}
