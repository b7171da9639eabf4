using CityOps.Web.Data;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Live;

/// <summary>
/// Fills the live store with each sensor's newest stored reading so screens are not empty after a restart,
/// keeps the asset tree current, and has the store check sensor states against the clock.
/// </summary>
internal sealed class LiveStartup(
    LiveStore store,
    AssetTree assets,
    IDbContextFactory<CityOpsDbContext> dbFactory,
    RollupWorker rollups,
    IOptions<LiveOptions> options,
    TimeProvider time,
    ILogger<LiveStartup> logger) : BackgroundService
{
    private static readonly TimeSpan AssetRefreshInterval = TimeSpan.FromMinutes(1);

    // One index probe per sensor (newest row first) instead of DISTINCT ON over a day of rows: on the
    // (sensor_id, ts) primary key of the daily partitions this reads one row per sensor.
    private const string LatestSql = """
        SELECT s.id AS sensor_id, r.ts, r.value
        FROM sensors s
        CROSS JOIN LATERAL (
            SELECT ts, value FROM readings WHERE sensor_id = s.id AND ts >= @since ORDER BY ts DESC LIMIT 1
        ) r
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RunSafelyAsync("load the asset tree", () => assets.RefreshAsync(stoppingToken));
        await RunSafelyAsync("load the newest stored readings", () => WarmUpAsync(stoppingToken));

        using var timer = new PeriodicTimer(options.Value.StateCheckInterval, time);
        var lastAssetRefresh = time.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            store.CheckStates();
            if (assets.TakeRefreshRequest() || time.GetElapsedTime(lastAssetRefresh) >= AssetRefreshInterval)
            {
                lastAssetRefresh = time.GetTimestamp();
                await RunSafelyAsync("refresh the asset tree", () => assets.RefreshAsync(stoppingToken));
            }
        }
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var window = options.Value.WarmUpWindow;
        if (window <= TimeSpan.Zero)
        {
            return;
        }
        var since = time.GetUtcNow().UtcDateTime - window;
        // Readings committed just before the restart may still wait in their deltas: stored first, so they count.
        await rollups.FlushAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(LatestSql, connection);
        command.Parameters.AddWithValue("since", since);
        var rows = new List<CommittedReading>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new CommittedReading(reader.GetInt32(0), reader.GetFieldValue<DateTime>(1), reader.GetDouble(2)));
            }
        }
        store.Seed(rows);
        logger.LogInformation("Live store filled with the newest reading of {Count} sensors", rows.Count);
    }

    private async Task RunSafelyAsync(string what, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Live screens work without it (they fill as readings arrive); the next attempt may succeed.
            logger.LogWarning(e, "Could not {What}", what);
        }
    }
}
