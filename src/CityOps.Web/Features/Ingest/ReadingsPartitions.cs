using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Creates and drops the partitions of <c>readings</c> (one per UTC day) and <c>rollup_1m</c> (one per
/// UTC month). The writer asks for the partitions of every batch (a cache makes that free once they
/// exist); the maintenance worker creates them ahead of time and drops expired ones whole.
/// </summary>
internal sealed class ReadingsPartitions(ILogger<ReadingsPartitions> logger)
{
    private const string ReadingsPrefix = "readings_p";
    private const string MinutePrefix = "rollup_1m_p";
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    public static string ReadingsPartition(DateOnly day) => ReadingsPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static string MinutePartition(DateOnly month) => MinutePrefix + month.ToString("yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>Makes sure every partition the readings between <paramref name="first"/> and <paramref name="last"/> (UTC) need exists.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, DateTime first, DateTime last, CancellationToken cancellationToken)
    {
        for (var day = DateOnly.FromDateTime(first); day <= DateOnly.FromDateTime(last); day = day.AddDays(1))
        {
            await EnsureOneAsync(connection, "readings", ReadingsPartition(day), day, day.AddDays(1), cancellationToken);
        }
        for (var month = new DateOnly(first.Year, first.Month, 1); month <= DateOnly.FromDateTime(last); month = month.AddMonths(1))
        {
            await EnsureOneAsync(connection, "rollup_1m", MinutePartition(month), month, month.AddMonths(1), cancellationToken);
        }
    }

    /// <summary>
    /// Drops raw partitions that end at or before <paramref name="rawCutoff"/> and minute-rollup partitions
    /// that end at or before <paramref name="minuteCutoff"/>. Returns the names dropped.
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

    /// <summary>Forgets what is cached, for when a partition may have vanished under the writer.</summary>
    public void Forget() => _known.Clear();

    public static async Task<List<(string Parent, string Name)>> ListAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT p.relname, c.relname FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname IN ('readings', 'rollup_1m') AND p.relnamespace = 'public'::regnamespace
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
        NpgsqlConnection connection, string parent, string name, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        if (_known.ContainsKey(name))
        {
            return;
        }
        var sql = string.Create(CultureInfo.InvariantCulture,
            $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {parent} FOR VALUES FROM ('{from:yyyy-MM-dd} 00:00:00+00') TO ('{to:yyyy-MM-dd} 00:00:00+00')");
        try
        {
            await using var cmd = new NpgsqlCommand(sql, connection);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
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
