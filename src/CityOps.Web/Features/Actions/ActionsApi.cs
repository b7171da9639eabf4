using System.Security.Claims;
using CityOps.Web.Features.ApiKeys;

namespace CityOps.Web.Features.Actions;

/// <summary>A device's report about a command it received.</summary>
/// <param name="Status">Acknowledged (received, applying), Applied or Failed.</param>
/// <param name="Error">Why it failed.</param>
public sealed record CommandAck(DeviceReportStatus Status, string? Error = null);

public sealed record CommandAckResult(long Id, CommandStatus Status);

internal static class ActionsApi
{
    public static void MapActionsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/v1/commands").WithTags("Commands");
        api.MapPost("/{id:long}/ack", AckAsync)
            .RequireAuthorization(ApiPolicies.Ingest)
            .WithSummary("Report a command's progress from the equipment (ingest-scope API key)")
            .Produces<CommandAckResult>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> AckAsync(long id, CommandAck ack, ClaimsPrincipal user, CommandService commands, CancellationToken cancellationToken)
    {
        try
        {
            var status = await commands.ReportAsync(id, ack.Status, ack.Error, $"key:{user.Identity?.Name}", cancellationToken);
            return status is { } s
                ? Results.Ok(new CommandAckResult(id, s))
                : Results.Problem($"Command {id} does not exist.", statusCode: StatusCodes.Status404NotFound);
        }
        catch (ActionException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }
}
