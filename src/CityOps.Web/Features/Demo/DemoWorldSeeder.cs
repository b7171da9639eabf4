using CityOps.Simulator;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;

namespace CityOps.Web.Features.Demo;

/// <summary>Registers the demo city and plant (sites, assets, sensors, actuators); adds only what is missing.</summary>
internal sealed class DemoWorldSeeder : IDatabaseSeeder
{
    public int Order => 5;

    public Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetRequiredService<WorldRegistration>().RegisterAsync(DemoWorld.Create(), cancellationToken);
}
