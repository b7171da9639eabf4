using Microsoft.AspNetCore.Identity;

namespace CityOps.Web.Features.Accounts;

public sealed class CityOpsUser : IdentityUser
{
    public string? DisplayName { get; set; }
    public DateTime? LastSignInAt { get; set; }
}

/// <summary>The three roles; a user may hold several.</summary>
public static class Roles
{
    public const string Operator = "Operator";
    public const string Manager = "Manager";
    public const string Administrator = "Administrator";
    public static readonly string[] All = [Operator, Manager, Administrator];
}
