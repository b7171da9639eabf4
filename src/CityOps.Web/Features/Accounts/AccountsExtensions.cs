namespace CityOps.Web.Features.Accounts;

public static class AccountsExtensions
{
    public static void AddAccounts(this WebApplicationBuilder builder)
    {
    }

    public static void MapAccounts(this WebApplication app)
    {
    }
}
