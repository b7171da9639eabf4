using System.Security.Claims;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration;

namespace CityOps.Tests.Administration;

public class AdminGuardTests
{
    [Theory]
    [InlineData("")]
    [InlineData(Roles.Operator)]
    [InlineData(Roles.Manager)]
    [InlineData(Roles.Operator + "," + Roles.Manager)]
    public void Demand_SignedInWithoutAdministratorRole_Refuses(string roles)
    {
        var user = Principal("someone@cityops.local", authenticated: true, roles.Split(',', StringSplitOptions.RemoveEmptyEntries));

        Assert.Throws<UnauthorizedAccessException>(() => AdminGuard.Demand(user));
    }

    [Fact]
    public void Demand_AdministratorRoleClaimButNotAuthenticated_Refuses()
    {
        var user = Principal("someone@cityops.local", authenticated: false, Roles.Administrator);

        Assert.Throws<UnauthorizedAccessException>(() => AdminGuard.Demand(user));
    }

    [Fact]
    public void Demand_Anonymous_Refuses()
    {
        Assert.Throws<UnauthorizedAccessException>(() => AdminGuard.Demand(new ClaimsPrincipal(new ClaimsIdentity())));
    }

    [Fact]
    public void Demand_Administrator_ReturnsTheirNameForTheAuditLog()
    {
        var user = Principal("chief@cityops.local", authenticated: true, Roles.Administrator);

        Assert.Equal("chief@cityops.local", AdminGuard.Demand(user));
    }

    private static ClaimsPrincipal Principal(string name, bool authenticated, params string[] roles) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], authenticated ? "Test" : null));
}
