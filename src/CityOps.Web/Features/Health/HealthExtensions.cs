using System.Text.Json;
using CityOps.Web.Features.Ingest;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CityOps.Web.Features.Health;

/// <summary>
/// <c>/health/live</c>: the process answers (restart it when not). <c>/health/ready</c>: the database is
/// reachable and migrated (send it traffic when so), and the committed readings are being stored (degraded, still 200,
/// when the rollup worker has fallen behind). Both are anonymous and answer 503 when unhealthy.
/// </summary>
public static class HealthExtensions
{
    private const string LiveTag = "live";
    private const string ReadyTag = "ready";

    public static void AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [LiveTag])
            .AddCheck<MigrationsHealthCheck>("database", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(10))
            .AddCheck<IngestStorageHealthCheck>("ingest-storage", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(10));
    }

    public static void MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", Options(LiveTag)).AllowAnonymous().DisableHttpMetrics();
        app.MapHealthChecks("/health/ready", Options(ReadyTag)).AllowAnonymous().DisableHttpMetrics();
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = WriteJsonAsync,
    };

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.Select(e => new
            {
                name = e.Key,
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
