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

internal sealed class SensorHistory(RawSeriesReader raws, RollupSeriesReader rollups) : ISensorHistory
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
            ? new HistorySeries(HistoryResolution.Minute, await ReadRollupAsync(RollupResolution.Minute, sensorId, fromUtc, toUtc, cancellationToken))
            : new HistorySeries(HistoryResolution.Hour, await ReadRollupAsync(RollupResolution.Hour, sensorId, fromUtc, toUtc, cancellationToken));
    }

    /// <summary>The readings in the range, or null when there are more than <see cref="MaxRawPoints"/>.</summary>
    private async Task<TrendSeries?> ReadRawAsync(int sensorId, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        var points = await raws.ReadAsync(sensorId, from, to, MaxRawPoints + 1, cancellationToken);
        if (points.Count > MaxRawPoints)
        {
            return null;
        }
        var ts = new double[points.Count];
        var values = new double[points.Count];
        for (var i = 0; i < points.Count; i++)
        {
            ts[i] = TrendSeries.ToUnixSeconds(points[i].Ts);
            values[i] = points[i].Value;
        }
        return new TrendSeries(ts, values);
    }

    private async Task<TrendSeries> ReadRollupAsync(RollupResolution resolution, int sensorId, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        // The bucket that holds 'from' is included: its start is earlier, its readings are not.
        var series = await rollups.ReadAsync(sensorId, resolution, RollupSeriesReader.BucketOf(DateTime.SpecifyKind(from, DateTimeKind.Utc), resolution),
            DateTime.SpecifyKind(to, DateTimeKind.Utc), cancellationToken);
        var ts = new double[series.Count];
        for (var i = 0; i < ts.Length; i++)
        {
            ts[i] = TrendSeries.ToUnixSeconds(series.Buckets[i]);
        }
        return new TrendSeries(ts, series.Mean, series.Min, series.Max);
    }
}
