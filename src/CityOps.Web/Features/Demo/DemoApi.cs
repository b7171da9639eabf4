using System.ComponentModel.DataAnnotations;
using CityOps.Simulator;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.ApiKeys;

namespace CityOps.Web.Features.Demo;

/// <summary>A fault to inject into the demo twin now or later.</summary>
/// <param name="Kind">Drift, Spike, Stuck, Dropout, NoiseBurst (a sensor key as target) or BearingWear, Leak, Congestion, LineStoppage (an asset key).</param>
/// <param name="DurationMinutes">How long it lasts.</param>
/// <param name="Start">When it starts (ISO-8601); now when absent.</param>
/// <param name="Magnitude">Kind-specific size; a visible default when absent.</param>
public sealed record FaultRequest(
    FaultKind Kind, [property: Required] string Target, [property: Range(0.01, 7 * 24 * 60)] double DurationMinutes,
    DateTimeOffset? Start = null, double? Magnitude = null);

/// <summary>The demo twin's fault log: every scheduled or injected fault with its window, the ground truth for detection.</summary>
internal static class DemoApi
{
    public static void MapDemoApi(this WebApplication app)
    {
        if (!app.Configuration.IsDemoMode())
        {
            return;
        }
        var api = app.MapGroup("/api/v1/demo/faults").WithTags("Demo twin");
        api.MapGet("/", (DemoTwinHost host) => host.IsRunning
                ? Results.Ok(host.Use(t => t.Faults.ToList()))
                : Results.Problem("The demo twin is starting; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable))
            .RequireAuthorization(ApiPolicies.Read)
            .WithSummary("List the demo twin's faults")
            .Produces<List<FaultRecord>>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/", Inject)
            .RequireAuthorization(Policies.Administrator)
            .WithSummary("Inject a fault into the demo twin")
            .Produces<FaultRecord>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Inject(FaultRequest request, DemoTwinHost host)
    {
        if (!host.IsRunning)
        {
            return Results.Problem("The demo twin is starting; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        if (request.DurationMinutes is <= 0 or > 7 * 24 * 60)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                [nameof(FaultRequest.DurationMinutes)] = ["The duration must be more than 0 and at most 7 days (10080 minutes)."],
            });
        }
        try
        {
            var spec = new FaultSpec(request.Kind, request.Target, TimeSpan.FromMinutes(request.DurationMinutes), request.Start, request.Magnitude);
            var record = host.Use(t => t.InjectFault(spec));
            return Results.Created($"/api/v1/demo/faults/{record.Id}", record);
        }
        catch (ArgumentException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.ParamName ?? "fault"] = [e.Message] });
        }
    }
}
