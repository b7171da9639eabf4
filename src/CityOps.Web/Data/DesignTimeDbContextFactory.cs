using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace CityOps.Web.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the application or a database.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CityOpsDbContext>
{
    public CityOpsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CityOpsDbContext>()
            .UseNpgsql("Host=localhost;Database=cityops", o => o.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .Options);
}
