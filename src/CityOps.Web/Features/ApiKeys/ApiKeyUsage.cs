using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.Web.Features.ApiKeys;

/// <summary>How many requests one key made in one minute, summed over every node.</summary>
public sealed class ApiKeyUsage
{
    public Guid KeyId { get; set; }
    public DateTime Minute { get; set; }
    public long Count { get; set; }
}

public sealed class ApiKeyUsageConfiguration : IEntityTypeConfiguration<ApiKeyUsage>
{
    public void Configure(EntityTypeBuilder<ApiKeyUsage> b)
    {
        b.ToTable("api_key_usage");
        b.HasKey(u => new { u.KeyId, u.Minute });
        b.HasIndex(u => u.Minute);
    }
}

/// <summary>A key's use as the administration page shows it: requests in the last hour and their rate.</summary>
public sealed record ApiKeyUseSummary(long RequestsLastHour)
{
    public static readonly ApiKeyUseSummary None = new(0);

    public double PerMinute => RequestsLastHour / 60.0;
}

/// <summary>
/// Counts requests per key and minute. Each node counts in memory (an increment on the request path, no I/O) and adds
/// its counts to <c>api_key_usage</c> every <c>ApiKeys:UsageFlushInterval</c> (default 10 s) with an upsert that adds
/// rather than overwrites, so the rows hold the sum of all nodes. A failed flush keeps its counts for the next one.
/// Rows older than <see cref="Retention"/> are deleted by the flush.
/// </summary>
public sealed class ApiKeyUsageMeter(NpgsqlDataSource dataSource, TimeProvider time, IConfiguration configuration, ILogger<ApiKeyUsageMeter> logger)
    : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(2);
    private readonly TimeSpan _flushInterval = configuration.GetValue("ApiKeys:UsageFlushInterval", TimeSpan.FromSeconds(10));
    private readonly ConcurrentDictionary<(Guid Key, DateTime Minute), long> _pending = new();

    /// <summary>Counts one request made with <paramref name="keyId"/> now.</summary>
    public void Count(Guid keyId) => _pending.AddOrUpdate((keyId, MinuteOf(time.GetUtcNow().UtcDateTime)), 1, (_, c) => c + 1);

    /// <summary>Adds this node's counts to the database.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var taken = new List<((Guid Key, DateTime Minute) Slot, long Count)>();
        foreach (var slot in _pending.Keys)
        {
            // TryRemove is atomic with AddOrUpdate: an increment lands either in what we take or in a new entry.
            if (_pending.TryRemove(slot, out var count))
            {
                taken.Add((slot, count));
            }
        }
        if (taken.Count == 0)
        {
            return;
        }
        try
        {
            await using var batch = dataSource.CreateBatch();
            var upsert = new NpgsqlBatchCommand("""
                INSERT INTO api_key_usage (key_id, minute, count)
                SELECT * FROM unnest($1, $2, $3)
                ON CONFLICT (key_id, minute) DO UPDATE SET count = api_key_usage.count + excluded.count
                """);
            upsert.Parameters.Add(new NpgsqlParameter { Value = taken.Select(t => t.Slot.Key).ToArray() });
            upsert.Parameters.Add(new NpgsqlParameter { Value = taken.Select(t => t.Slot.Minute).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            upsert.Parameters.Add(new NpgsqlParameter { Value = taken.Select(t => t.Count).ToArray() });
            var prune = new NpgsqlBatchCommand("DELETE FROM api_key_usage WHERE minute < $1");
            prune.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow().UtcDateTime - Retention, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            batch.BatchCommands.Add(upsert);
            batch.BatchCommands.Add(prune);
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            foreach (var (slot, count) in taken)
            {
                _pending.AddOrUpdate(slot, count, (_, c) => c + count);
            }
            if (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Could not store API key usage; keeping {Slots} counts for the next flush", taken.Count);
            }
            throw;
        }
    }

    /// <summary>Every key's use in the last hour as the database has it (this node's unflushed counts are not included).</summary>
    public async Task<IReadOnlyDictionary<Guid, ApiKeyUseSummary>> ReadAsync(CancellationToken cancellationToken = default)
    {
        var now = MinuteOf(time.GetUtcNow().UtcDateTime);
        await using var command = dataSource.CreateCommand("""
            SELECT key_id, sum(count)::bigint FROM api_key_usage WHERE minute > $1 GROUP BY key_id
            """);
        // The current minute (still filling) and the 59 before it.
        command.Parameters.Add(new NpgsqlParameter { Value = now.AddMinutes(-60), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var result = new Dictionary<Guid, ApiKeyUseSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[reader.GetGuid(0)] = new ApiKeyUseSummary(reader.GetInt64(1));
        }
        return result;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_flushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryFlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // What was counted since the last tick would be lost with the process.
        await TryFlushAsync(CancellationToken.None);
    }

    private async Task TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Logged by FlushAsync; the counts wait for the next flush.
        }
    }

    private static DateTime MinuteOf(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
}
