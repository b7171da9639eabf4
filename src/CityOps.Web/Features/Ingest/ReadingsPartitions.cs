using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Creates, seals and drops the partitions of <c>readings</c> (one per UTC day) and <c>rollup_1m</c> (one per
/// UTC month; its packed twin <c>rollup_1m_by_hour</c> is partitioned alike and created and dropped with it). The writer asks for the partitions of every batch (a cache makes that free once they
/// exist); the maintenance worker creates them ahead of time, seals finished days and drops expired ones whole.
/// A raw partition is born with one unique index, <c>(ts, sensor_id)</c>: readings arrive in time order, so
/// inserts land at the right edge of that index instead of in 5,000 sensors' key ranges. Once its day is over
/// (plus <see cref="RetentionOptions.SealAfter"/>) it is sealed: the <c>(sensor_id, ts)</c> index that
/// per-sensor series queries need is built in one bulk pass.
/// </summary>
internal sealed class ReadingsPartitions(ILogger<ReadingsPartitions> logger)
{
    private const string ReadingsPrefix = "readings_p";
    private const string MinutePrefix = "rollup_1m_p";
    private const string PackedMinutePrefix = "rollup_1m_by_hour_p";
    private const string TimeKeySuffix = "_ts_key";
    private const string SensorKeySuffix = "_sensor_key";
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    public static string ReadingsPartition(DateOnly day) => ReadingsPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    // Chart reads are index-only scans of the covering key; they need the visibility map to follow the inserts
    // closely (partitions do not inherit storage parameters, so each gets them here).
    private const string MinuteRollupStorage = "autovacuum_vacuum_insert_threshold = 20000, autovacuum_vacuum_insert_scale_factor = 0";

    public static string MinutePartition(DateOnly month) => MinutePrefix + month.ToString("yyyyMM", CultureInfo.InvariantCulture);

    public static string PackedMinutePartition(DateOnly month) => PackedMinutePrefix + month.ToString("yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>Makes sure every partition the readings between <paramref name="first"/> and <paramref name="last"/> (UTC) need exists.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, DateTime first, DateTime last, CancellationToken cancellationToken)
    {
        for (var day = DateOnly.FromDateTime(first); day <= DateOnly.FromDateTime(last); day = day.AddDays(1))
        {
            var name = ReadingsPartition(day);
            await EnsureOneAsync(connection, "readings", name, day, day.AddDays(1),
                $"CREATE UNIQUE INDEX IF NOT EXISTS {name}{TimeKeySuffix} ON {name} (ts, sensor_id)", cancellationToken);
        }
        for (var month = new DateOnly(first.Year, first.Month, 1); month <= DateOnly.FromDateTime(last); month = month.AddMonths(1))
        {
            await EnsureOneAsync(connection, "rollup_1m", MinutePartition(month), month, month.AddMonths(1), null, cancellationToken,
                storage: MinuteRollupStorage);
            await EnsureOneAsync(connection, "rollup_1m_by_hour", PackedMinutePartition(month), month, month.AddMonths(1), null, cancellationToken);
        }
    }

    /// <summary>True when every partition <see cref="EnsureAsync"/> would make for these times is known to exist.</summary>
    public bool Covers(DateTime first, DateTime last)
    {
        for (var day = DateOnly.FromDateTime(first); day <= DateOnly.FromDateTime(last); day = day.AddDays(1))
        {
            if (!_known.ContainsKey(ReadingsPartition(day)))
            {
                return false;
            }
        }
        for (var month = new DateOnly(first.Year, first.Month, 1); month <= DateOnly.FromDateTime(last); month = month.AddMonths(1))
        {
            if (!_known.ContainsKey(MinutePartition(month)) || !_known.ContainsKey(PackedMinutePartition(month)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Drops raw partitions that end at or before <paramref name="rawCutoff"/> and minute-rollup partitions (plain
    /// and packed) that end at or before <paramref name="minuteCutoff"/>. Returns the names dropped.
    /// </summary>
    public async Task<IReadOnlyList<string>> DropExpiredAsync(
        NpgsqlConnection connection, DateTime rawCutoff, DateTime minuteCutoff, CancellationToken cancellationToken)
    {
        var expired = new List<string>();
        foreach (var (parent, name) in await ListAsync(connection, cancellationToken))
        {
            if (parent == "readings" && TryParse(name, ReadingsPrefix, "yyyyMMdd", out var day) && ToUtc(day.AddDays(1)) <= rawCutoff)
            {
                expired.Add(name);
            }
            else if (parent == "rollup_1m" && TryParse(name, MinutePrefix, "yyyyMM", out var month) && ToUtc(month.AddMonths(1)) <= minuteCutoff)
            {
                expired.Add(name);
            }
            else if (parent == "rollup_1m_by_hour" && TryParse(name, PackedMinutePrefix, "yyyyMM", out var packedMonth) && ToUtc(packedMonth.AddMonths(1)) <= minuteCutoff)
            {
                expired.Add(name);
            }
        }
        foreach (var name in expired)
        {
            _known.TryRemove(name, out _);
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {name}", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Dropped expired partition {Partition}", name);
        }
        return expired;
    }

    /// <summary>
    /// Builds the <c>(sensor_id, ts)</c> index of every raw partition whose day ended at or before
    /// <paramref name="sealBefore"/> and lacks it. Built concurrently, so late readings for that day are not
    /// blocked meanwhile; a build interrupted by a crash leaves an invalid index, which is rebuilt.
    /// Returns the names sealed.
    /// </summary>
    public async Task<IReadOnlyList<string>> SealAsync(NpgsqlConnection connection, DateTime sealBefore, CancellationToken cancellationToken)
    {
        var valid = new Dictionary<string, bool>(StringComparer.Ordinal);
        await using (var cmd = new NpgsqlCommand(
            "SELECT c.relname, x.indisvalid FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE c.relname LIKE 'readings\\_p%' AND c.relnamespace = 'public'::regnamespace",
            connection))
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                valid[reader.GetString(0)] = reader.GetBoolean(1);
            }
        }
        var sealedNow = new List<string>();
        foreach (var (parent, name) in await ListAsync(connection, cancellationToken))
        {
            if (parent != "readings" || !TryParse(name, ReadingsPrefix, "yyyyMMdd", out var day) || ToUtc(day.AddDays(1)) > sealBefore)
            {
                continue;
            }
            var index = name + SensorKeySuffix;
            if (valid.TryGetValue(index, out var isValid) && isValid)
            {
                continue;
            }
            if (valid.ContainsKey(index))
            {
                await using var drop = new NpgsqlCommand($"DROP INDEX CONCURRENTLY IF EXISTS {index}", connection);
                await drop.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var create = new NpgsqlCommand($"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {index} ON {name} (sensor_id, ts)", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            logger.LogInformation("Sealed raw partition {Partition}: per-sensor index built", name);
            sealedNow.Add(name);
        }
        return sealedNow;
    }

    /// <summary>Forgets what is cached, for when a partition may have vanished under the writer.</summary>
    public void Forget() => _known.Clear();

    public static async Task<List<(string Parent, string Name)>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT p.relname, c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname IN ('readings', 'rollup_1m', 'rollup_1m_by_hour') AND p.relnamespace = 'public'::regnamespace
            ORDER BY c.relname
            """;
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var result = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add((reader.GetString(0), reader.GetString(1)));
        }
        return result;
    }

    private async Task EnsureOneAsync(
        NpgsqlConnection connection, string parent, string name, DateOnly from, DateOnly to, string? indexSql, CancellationToken cancellationToken,
        string? storage = null)
    {
        if (_known.ContainsKey(name))
        {
            return;
        }
        var sql = string.Create(CultureInfo.InvariantCulture,
            $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {parent} FOR VALUES FROM ('{from:yyyy-MM-dd} 00:00:00+00') TO ('{to:yyyy-MM-dd} 00:00:00+00'){(storage is null ? "" : $" WITH ({storage})")}");
        try
        {
            // Table and unique index in one transaction: a partition must never accept rows without its key.
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using (var cmd = new NpgsqlCommand(sql, connection, tx))
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            if (indexSql is not null)
            {
                await using var index = new NpgsqlCommand(indexSql, connection, tx);
                await index.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance created it between our check and our CREATE: it exists, which is all we need.
        }
        _known[name] = true;
    }

    private static bool TryParse(string name, string prefix, string format, out DateOnly date)
    {
        date = default;
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && DateOnly.TryParseExact(name.AsSpan(prefix.Length), format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    private static DateTime ToUtc(DateOnly date) => date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
}
