using System.Security.Claims;
using System.Text.Json.Serialization;
using CityOps.Web.Features.Audit;

namespace CityOps.Web.Features.Administration.Audit;

/// <summary>An audit entry as the API returns it.</summary>
public sealed record AuditEntryView(
    long Id, DateTime At, string Actor, [property: JsonConverter(typeof(JsonStringEnumConverter<AuditCategory>))] AuditCategory Category, string Action, string Target, string? Before, string? After, string? Reason)
{
    public static AuditEntryView From(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Category, e.Action, e.Target, e.Before, e.After, e.Reason);
}

/// <summary>A page of the audit log; pass <see cref="NextBefore"/> as <c>before</c> for the next (older) page.</summary>
public sealed record AuditPageView(IReadOnlyList<AuditEntryView> Entries, long? NextBefore);

/// <summary>Registers the audit part of the administration area.</summary>
public static class AuditAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditQueries>();
        builder.Services.AddSingleton<IAuditReader>(sp => sp.GetRequiredService<AuditQueries>());
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet("/audit", async (HttpContext context, long? before, int? pageSize, ClaimsPrincipal user, AuditQueries audit, CancellationToken ct) =>
            {
                try
                {
                    var page = await audit.SearchAsync(user, Filter(context), before, pageSize ?? 100, ct);
                    return Results.Ok(new AuditPageView(page.Entries.Select(AuditEntryView.From).ToArray(), page.NextBefore));
                }
                catch (UnauthorizedAccessException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden);
                }
            })
            .WithName("GetAuditLog")
            .WithSummary("The audit log, newest first, filtered by from, to (UTC), actor, category, action and target text")
            .WithDescription($"Keyset paging: pass the answer's `nextBefore` as `before` for older entries. At most {AuditQueries.MaxPageSize} per page.")
            .Produces<AuditPageView>();

        admin.MapGet("/audit/export.csv", IResult (HttpContext context, ClaimsPrincipal user, AuditQueries audit, TimeProvider time, CancellationToken ct) =>
            {
                try
                {
                    AdminGuard.Demand(user);
                }
                catch (UnauthorizedAccessException e)
                {
                    return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status403Forbidden);
                }
                return Results.Stream(
                    stream => audit.WriteCsvAsync(user, Filter(context), stream, ct),
                    "text/csv; charset=utf-8",
                    $"audit-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv");
            })
            .WithName("ExportAuditLog")
            .WithSummary("The filtered audit log as CSV (same filters as GET audit), streamed")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
    }

    private static AuditFilter Filter(HttpContext context) =>
        AuditFilter.FromQuery(context.Request.Query.ToDictionary(q => q.Key, q => (string?)q.Value.ToString(), StringComparer.OrdinalIgnoreCase));
}
