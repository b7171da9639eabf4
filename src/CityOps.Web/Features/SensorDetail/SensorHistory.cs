using CityOps.Web.Features.Ingest;
using Npgsql;

namespace CityOps.Web.Features.SensorDetail;

/// <summary>Which table a history series was read from.</summary>
public enum HistoryResolution { Raw, Minute, Hour }

public sealed record HistorySeries(HistoryResolution Resolution, TrendSeries Series);

/// <summary>
/// A sensor's history for the trend charts, from the finest table that keeps the answer small: raw
/// readings up to a day (and <see cref="MaxRawPoints"/>), 1-minute rollups up to 31 days, hourly beyond.
/// Rollup points carry their bucket's min/max band and mean.
/// </summary>
public interface ISensorHistory
{
    Task<HistorySeries> ReadAsync(int sensorId, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken = default);
}

internal sealed class SensorHistory(ReadingsDatabase database) : ISensorHistory
{
    /// <summary>A day of 1-second readings, with room to spare; more falls back to minutes.</summary>
    public const int MaxRawPoints = 100_000;
    private static readonly TimeSpan MaxRawRange = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxMinuteRange = TimeSpan.FromDays(31);

    public async Task<HistorySeries> ReadAsync(int sensorId, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken = default)
    {
        if (toUtc <= fromUtc)
        {
            throw new ArgumentException("The range must end after it starts.", nameof(toUtc));
        }
        var range = toUtc - fromUtc;
        if (range <= MaxRawRange && await ReadRawAsync(sensorId, fromUtc, toUtc, cancellationToken) is { } raw)
        {
            return new HistorySeries(HistoryResolution.Raw, raw);
        }
        return range <= MaxMinuteRange
            ? new HistorySeries(HistoryResolution.Minute, await ReadRollupAsync("rollup_1m", sensorId, fromUtc, toUtc, cancellationToken))
            : new HistorySeries(HistoryResolution.Hour, await ReadRollupAsync("rollup_1h", sensorId, fromUtc, toUtc, cancellationToken));
    }

    /// <summary>The readings in the range, or null when there are more than <see cref="MaxRawPoints"/>.</summary>
    private async Task<TrendSeries?> ReadRawAsync(int sensorId, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        await using var cmd = database.DataSource.CreateCommand(
            "SELECT ts, value FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4");
        cmd.Parameters.Add(new NpgsqlParameter { Value = sensorId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(from, DateTimeKind.Utc) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(to, DateTimeKind.Utc) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = MaxRawPoints + 1 });
        var ts = new List<double>();
        var values = new List<double>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ts.Add(TrendSeries.ToUnixSeconds(reader.GetDateTime(0)));
            values.Add(reader.GetDouble(1));
        }
        return ts.Count > MaxRawPoints ? null : new TrendSeries([.. ts], [.. values]);
    }

    private async Task<TrendSeries> ReadRollupAsync(string table, int sensorId, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        // The bucket that holds 'from' is included: its start is earlier, its readings are not.
        var bucket = table == "rollup_1m" ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(1);
        await using var cmd = database.DataSource.CreateCommand(
            $"SELECT bucket, min, max, sum / count FROM {table} WHERE sensor_id = $1 AND bucket > $2 AND bucket < $3 AND count > 0 ORDER BY bucket");
        cmd.Parameters.Add(new NpgsqlParameter { Value = sensorId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(from - bucket, DateTimeKind.Utc) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(to, DateTimeKind.Utc) });
        var ts = new List<double>();
        var min = new List<double>();
        var max = new List<double>();
        var mean = new List<double>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ts.Add(TrendSeries.ToUnixSeconds(reader.GetDateTime(0)));
            min.Add(reader.GetDouble(1));
            max.Add(reader.GetDouble(2));
            mean.Add(reader.GetDouble(3));
        }
        return new TrendSeries([.. ts], [.. mean], [.. min], [.. max]);
    }
}
