namespace CityOps.Web.Data;

/// <summary>Puts a feature's initial data into a freshly migrated database; must be idempotent.</summary>
public interface IDatabaseSeeder
{
    /// <summary>Lower runs first (the asset registry before the demo history that refers to it).</summary>
    int Order { get; }

    Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken);
}
