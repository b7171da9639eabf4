using System.Security.Claims;
using CityOps.Web.Features.ApiKeys;

namespace CityOps.Web.Features.Administration.Keys;

/// <summary>Registers the keys part of the administration area.</summary>
public static class KeysAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IApiKeyAdministration, ApiKeyAdministration>();
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        var keys = admin.MapGroup("/keys");
        keys.MapGet("", (IApiKeyAdministration service, ClaimsPrincipal user, CancellationToken ct) => service.ListAsync(user, ct));
        keys.MapPost("", (ApiKeyRequest request, IApiKeyAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            Answer(async () =>
            {
                var created = await service.CreateAsync(user, request.ToSettings(), ct);
                return TypedResults.Created($"{AdministrationExtensions.ApiPrefix}/keys/{created.Id}", created);
            }));
        keys.MapPut("/{id:guid}", (Guid id, ApiKeyRequest request, IApiKeyAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            Answer(async () => TypedResults.Ok(await service.UpdateAsync(user, id, request.ToSettings(), ct))));
        keys.MapPost("/{id:guid}/revoke", (Guid id, IApiKeyAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            Answer(async () => TypedResults.Ok(await service.RevokeAsync(user, id, ct))));
    }

    /// <summary>The operations' refusals as problem details: bad input 400, unknown key 404, a revoked key 409.</summary>
    internal static async Task<IResult> Answer(Func<Task<IResult>> operation)
    {
        try
        {
            return await operation();
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
        }
        catch (KeyNotFoundException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Refused");
        }
    }
}

/// <summary>The body of a create or update: <c>{"label":"gateway 7","scopes":["ingest","read"],"expiresAt":null}</c>.</summary>
public sealed record ApiKeyRequest(string? Label, string[]? Scopes, DateTime? ExpiresAt)
{
    public ApiKeySettings ToSettings()
    {
        var scopes = ApiKeyScopes.None;
        foreach (var scope in Scopes ?? [])
        {
            scopes |= scope.ToLowerInvariant() switch
            {
                ApiKeyClaims.IngestScope => ApiKeyScopes.Ingest,
                ApiKeyClaims.ReadScope => ApiKeyScopes.Read,
                _ => throw new ArgumentException($"Unknown scope \"{scope}\"; use \"ingest\" and/or \"read\"."),
            };
        }
        return new ApiKeySettings(Label ?? "", scopes, ExpiresAt);
    }
}
