using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Keeps the readings storage in shape: creates the coming days' partitions ahead of the writer, seals the raw
/// partitions of finished days (<see cref="ReadingsPartitions.SealAsync"/>), drops
/// whole partitions past retention (raw after <see cref="RetentionOptions.RawDays"/>, 1-minute rollups
/// after <see cref="RetentionOptions.MinuteRollupDays"/>; hourly rollups are kept), and forgets
/// idempotency answers older than <see cref="RetentionOptions.IdempotencyWindow"/>.
/// </summary>
internal sealed class ReadingsMaintenanceWorker(
    ReadingsDatabase database,
    ReadingsPartitions partitions,
    IOptionsMonitor<RetentionOptions> options,
    TimeProvider time,
    ILogger<ReadingsMaintenanceWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.MaintenanceInterval, time);
        do
        {
            try
            {
                await RunOnceAsync(time.GetUtcNow(), stoppingToken);
            }
            catch (Exception e) when (ReadingsDatabase.IsUnavailable(e))
            {
                logger.LogWarning("Readings maintenance skipped: the database is unavailable ({Error})", e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Readings maintenance failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One maintenance pass as of <paramref name="now"/>. Returns the partitions dropped.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retention = options.CurrentValue;
        var utc = now.UtcDateTime;
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await partitions.EnsureAsync(connection, utc, utc.AddDays(retention.PartitionsAheadDays), cancellationToken);
        await partitions.SealAsync(connection, utc - retention.SealAfter, cancellationToken);
        var dropped = await partitions.DropExpiredAsync(
            connection, utc.AddDays(-retention.RawDays), utc.AddDays(-retention.MinuteRollupDays), cancellationToken);
        await using var purge = new NpgsqlCommand("DELETE FROM ingest_requests WHERE created_at < $1", connection)
        {
            Parameters = { new() { Value = utc - retention.IdempotencyWindow } },
        };
        var purged = await purge.ExecuteNonQueryAsync(cancellationToken);
        if (purged > 0)
        {
            logger.LogInformation("Forgot {Count} idempotency answers older than {Window}", purged, retention.IdempotencyWindow);
        }
        return dropped;
    }
}
