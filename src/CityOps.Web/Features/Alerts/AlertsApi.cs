using System.Security.Claims;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.ApiKeys;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Alerts;

/// <summary>An operator's acknowledgement, with an optional comment.</summary>
public sealed record AcknowledgeRequest(string? Comment);

/// <summary>How much history a re-learn replayed.</summary>
public sealed record RelearnResult(string Rule, int Days, int Points);

/// <summary><c>/api/v1/alarms</c> and <c>/api/v1/alerts/rules/{key}/relearn</c>: thin adapters over the alarm services.</summary>
internal static class AlertsApi
{
    public static void MapAlertsEndpoints(this IEndpointRouteBuilder app)
    {
        var alarms = app.MapGroup("/api/v1/alarms").WithTags("Alarms");
        alarms.MapGet("/", (AlarmBoard board) => TypedResults.Ok(board.Standing()))
            .RequireAuthorization(ApiPolicies.Read)
            .WithName("ListStandingAlarms")
            .WithSummary("List the standing alarms")
            .WithDescription("Every alarm that is not back to normal (active, returned unacknowledged, shelved, suppressed, out of service), highest priority first, then newest first.")
            .Produces<IReadOnlyList<AlarmView>>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        alarms.MapPost("/{id:long}/acknowledge", AcknowledgeAsync)
            .RequireAuthorization(Policies.AnyRole)
            .WithName("AcknowledgeAlarm")
            .WithSummary("Acknowledge an alarm")
            .WithDescription("A signed-in operator acknowledges an active or returned alarm; answers the alarm after the change.")
            .Produces<AlarmView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapPost("/api/v1/alerts/rules/{key}/relearn", RelearnAsync)
            .RequireAuthorization(Policies.Administrator)
            .WithTags("Alert rules")
            .WithName("RelearnAlertRule")
            .WithSummary("Re-learn a rule's models from history")
            .WithDescription("Resets what the rule's models learned and replays the last `days` (default 7) of 1-minute means through them.")
            .Produces<RelearnResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> AcknowledgeAsync(long id, AcknowledgeRequest? request, ClaimsPrincipal user, AlarmOperations operations, CancellationToken ct)
    {
        var alarm = await operations.FindAsync(id, ct);
        if (alarm is null)
        {
            return TypedResults.Problem($"There is no alarm {id}.", statusCode: StatusCodes.Status404NotFound);
        }
        var changed = await operations.AcknowledgeAsync([id], user.Identity?.Name ?? "unknown", request?.Comment, ct);
        if (changed == 0)
        {
            return TypedResults.Problem($"Alarm {id} is {alarm.State} and cannot be acknowledged.", statusCode: StatusCodes.Status409Conflict);
        }
        return TypedResults.Ok(await operations.FindAsync(id, ct));
    }

    private static async Task<IResult> RelearnAsync(string key, int? days, ClaimsPrincipal user, AlertEngineService engine,
        IDbContextFactory<CityOpsDbContext> dbFactory, AuditLog audit, CancellationToken ct)
    {
        if (days is < 1 or > 62)
        {
            return TypedResults.Problem("days must be between 1 and 62 (the 1-minute rollups' reach).", statusCode: StatusCodes.Status400BadRequest);
        }
        await engine.Ready.WaitAsync(ct);
        if (!engine.KnowsRule(key))
        {
            return TypedResults.Problem($"There is no alert rule '{key}'.", statusCode: StatusCodes.Status404NotFound);
        }
        try
        {
            var points = await engine.RelearnAsync(key, days, ct);
            // What the models had learned is gone: an administrative change like any other, so it is on the record.
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                audit.Add(db, user.Identity?.Name ?? "unknown", AuditCategory.Administration, "rule.relearned", $"rule:{key}",
                    after: new { days, points }, reason: $"Models reset and {points} one-minute means of history replayed");
                await db.SaveChangesAsync(ct);
            }
            return TypedResults.Ok(new RelearnResult(key, days ?? 0, points));
        }
        catch (KeyNotFoundException e)
        {
            // Deleted between the check and the work.
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound);
        }
    }
}
