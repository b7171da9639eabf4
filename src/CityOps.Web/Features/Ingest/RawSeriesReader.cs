using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The one read of a sensor's raw readings for charts and the series API. A reading is committed (and answered with
/// 202) as part of its transaction's <c>rollup_delta</c> row, and the rollup worker stores it in <c>readings</c> within
/// about <see cref="IngestOptions.RollupInterval"/>; this read includes the readings not yet stored, so what a
/// client sent is readable as soon as it was acknowledged. Both parts come from one statement, so one snapshot: a
/// reading is either still in its delta or already stored, never both, never neither.
/// </summary>
internal sealed class RawSeriesReader(ReadingsDatabase database)
{
    private const string Sql = """
        SELECT 0::bigint, ts, value, NULL::bytea FROM (
            SELECT ts, value FROM readings WHERE sensor_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4
        ) r
        UNION ALL
        SELECT id, NULL, NULL, readings FROM rollup_delta
        WHERE NOT stored AND last_bucket >= $2 - INTERVAL '1 minute' AND first_bucket < $3
        """;

    /// <summary>The first <paramref name="limit"/> readings of the sensor in [<paramref name="from"/>, <paramref name="to"/>) (UTC), in time order.</summary>
    public async Task<List<(DateTime Ts, double Value)>> ReadAsync(int sensorId, DateTime from, DateTime to, int limit, CancellationToken cancellationToken)
    {
        from = DateTime.SpecifyKind(from, DateTimeKind.Utc);
        to = DateTime.SpecifyKind(to, DateTimeKind.Utc);
        await using var cmd = database.DataSource.CreateCommand(Sql);
        cmd.Parameters.Add(new NpgsqlParameter { Value = sensorId });
        cmd.Parameters.Add(new NpgsqlParameter { Value = from });
        cmd.Parameters.Add(new NpgsqlParameter { Value = to });
        cmd.Parameters.Add(new NpgsqlParameter { Value = limit });
        var points = new List<(DateTime Ts, double Value)>();
        List<(long Delta, PendingReading Reading)>? pending = null;
        var decoded = new List<PendingReading>();
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.IsDBNull(3))
                {
                    points.Add((reader.GetDateTime(1), reader.GetDouble(2)));
                    continue;
                }
                decoded.Clear();
                RollupDelta.DecodeTo((byte[])reader.GetValue(3), decoded);
                var delta = reader.GetInt64(0);
                foreach (var r in decoded)
                {
                    // Stored timestamps have microseconds, as PostgreSQL keeps them.
                    var ts = new DateTime(r.Timestamp.Ticks - r.Timestamp.Ticks % 10, DateTimeKind.Utc);
                    if (r.SensorId == sensorId && ts >= from && ts < to)
                    {
                        (pending ??= []).Add((delta, r with { Timestamp = ts }));
                    }
                }
            }
        }
        if (pending is null)
        {
            return points;
        }
        // A reading already stored wins over the same one waiting; of two waiting, the one written first wins.
        var seen = points.Select(p => p.Ts.Ticks).ToHashSet();
        foreach (var (_, r) in pending.OrderBy(p => p.Delta))
        {
            if (seen.Add(r.Timestamp.Ticks))
            {
                points.Add((r.Timestamp, r.Value));
            }
        }
        points.Sort((a, b) => a.Ts.CompareTo(b.Ts));
        if (points.Count > limit)
        {
            points.RemoveRange(limit, points.Count - limit);
        }
        return points;
    }
}
