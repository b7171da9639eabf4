using CityOps.Web.Features.Ingest;
using Npgsql;

namespace CityOps.Web.Features.Kpi;

/// <summary>One hourly (or minute) rollup row: count, sum and sum of squares of the readings in the bucket.</summary>
internal readonly record struct RollupRow(int SensorId, DateTime Bucket, long Count, double Sum, double Min, double Max, double SumSq)
{
    public double Mean => Sum / Count;
}

/// <summary>Reads rollups for the KPI queries; never the raw readings.</summary>
internal sealed class RollupReader(ReadingsDatabase database)
{
    private const string HourlySql = """
        SELECT sensor_id, bucket, count, sum, min, max, sum_sq FROM rollup_1h
        WHERE sensor_id = ANY($1) AND bucket >= $2 AND bucket < $3
        """;

    // Minutes with a down sample (state 0) inside the hours that had one: a few rows, found through the hours.
    private const string DownMinutesSql = """
        SELECT r.sensor_id, r.bucket FROM unnest($1::int[], $2::timestamptz[]) AS h(sensor_id, hour)
        JOIN rollup_1m r ON r.sensor_id = h.sensor_id AND r.bucket >= h.hour AND r.bucket < h.hour + INTERVAL '1 hour'
        WHERE r.min = 0
        ORDER BY r.sensor_id, r.bucket
        """;

    public async Task<List<RollupRow>> HourlyAsync(IReadOnlyCollection<int> sensorIds, DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = new List<RollupRow>();
        if (sensorIds.Count == 0)
            return rows;
        await using var cmd = database.DataSource.CreateCommand(HourlySql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = sensorIds.ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(from, DateTimeKind.Utc) });
        cmd.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(to, DateTimeKind.Utc) });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new RollupRow(reader.GetInt32(0), reader.GetDateTime(1), reader.GetInt64(2), reader.GetDouble(3), reader.GetDouble(4),
                reader.GetDouble(5), reader.GetDouble(6)));
        }
        return rows;
    }

    /// <summary>The minutes of the given (sensor, hour) pairs that hold a reading of 0.</summary>
    public async Task<List<(int SensorId, DateTime Minute)>> ZeroMinutesAsync(IReadOnlyList<(int SensorId, DateTime Hour)> hours, CancellationToken ct)
    {
        var rows = new List<(int, DateTime)>();
        if (hours.Count == 0)
            return rows;
        await using var cmd = database.DataSource.CreateCommand(DownMinutesSql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = hours.Select(h => h.SensorId).ToArray() });
        cmd.Parameters.Add(new NpgsqlParameter { Value = hours.Select(h => DateTime.SpecifyKind(h.Hour, DateTimeKind.Utc)).ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add((reader.GetInt32(0), reader.GetDateTime(1)));
        return rows;
    }
}
