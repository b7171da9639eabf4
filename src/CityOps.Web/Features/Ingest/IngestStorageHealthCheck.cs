using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Degraded when the rollup worker has fallen behind: the oldest committed delta still waiting to be stored is older
/// than <see cref="IngestOptions.StoreLagDegraded"/>. Ingest stays durable and raw reads still see those readings,
/// so traffic keeps coming (degraded, not unhealthy), but rollups, rule back-tests and sealing lag behind.
/// </summary>
internal sealed class IngestStorageHealthCheck(ReadingsDatabase database, IOptionsMonitor<IngestOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var cmd = database.DataSource.CreateCommand(
            "SELECT min(written_at), coalesce(sum(octet_length(readings)), 0)::bigint FROM rollup_delta WHERE NOT stored");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        if (reader.IsDBNull(0))
        {
            return HealthCheckResult.Healthy("Every committed reading is stored.");
        }
        var age = time.GetUtcNow().UtcDateTime - reader.GetDateTime(0);
        var waiting = reader.GetInt64(1) / RollupDelta.BytesPerReading;
        var data = new Dictionary<string, object> { ["waitingReadings"] = waiting, ["oldestSeconds"] = Math.Round(age.TotalSeconds, 1) };
        return age > options.CurrentValue.StoreLagDegraded
            ? HealthCheckResult.Degraded($"{waiting:N0} committed readings wait to be stored; the oldest for {age.TotalSeconds:N0} s.", data: data)
            : HealthCheckResult.Healthy($"{waiting:N0} committed readings wait to be stored, the oldest for {age.TotalSeconds:N1} s.", data: data);
    }
}
