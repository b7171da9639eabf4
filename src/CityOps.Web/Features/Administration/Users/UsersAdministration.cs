using System.Security.Claims;
using CityOps.Web.Features.Administration.Keys;

namespace CityOps.Web.Features.Administration.Users;

/// <summary>Registers the users part of the administration area.</summary>
public static class UsersAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IUserAdministration, UserAdministration>();
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    public static void Map(RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users");
        users.MapGet("", (IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) => service.ListAsync(user, ct));
        users.MapPost("", (NewUserRequest request, IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            KeysAdministration.Answer(async () =>
            {
                var created = await service.CreateAsync(user, new NewUser(request.Email ?? "", request.DisplayName, request.Roles ?? [], request.Password), ct);
                return TypedResults.Created($"{AdministrationExtensions.ApiPrefix}/users/{created.User.Id}", created);
            }));
        users.MapPut("/{id}/roles", (string id, RolesRequest request, IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            KeysAdministration.Answer(async () => TypedResults.Ok(await service.SetRolesAsync(user, id, request.Roles ?? [], ct))));
        users.MapPost("/{id}/password-reset", (string id, IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            KeysAdministration.Answer(async () => TypedResults.Ok(await service.ResetPasswordAsync(user, id, ct))));
        users.MapPost("/{id}/lock", (string id, IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            KeysAdministration.Answer(async () => TypedResults.Ok(await service.LockAsync(user, id, ct))));
        users.MapPost("/{id}/unlock", (string id, IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            KeysAdministration.Answer(async () => TypedResults.Ok(await service.UnlockAsync(user, id, ct))));
        users.MapDelete("/{id}", (string id, IUserAdministration service, ClaimsPrincipal user, CancellationToken ct) =>
            KeysAdministration.Answer(async () =>
            {
                await service.DeleteAsync(user, id, ct);
                return TypedResults.NoContent();
            }));
    }
}

/// <summary>The body of a create: with no password a one-time password is generated and returned.</summary>
public sealed record NewUserRequest(string? Email, string? DisplayName, string[]? Roles, string? Password);

public sealed record RolesRequest(string[]? Roles);
