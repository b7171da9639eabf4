using CityOps.Simulator;
using CityOps.Simulator.World;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// In demo mode: the demo world's seed rules, once, when no rule exists at all (an administrator who deleted or
/// changed them keeps their choice). After the world registration, which the rules bind to.
/// </summary>
internal sealed class DemoRulesSeeder : IDatabaseSeeder
{
    public int Order => 20;

    public async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var added = await services.GetRequiredService<AlertRuleStore>().SeedAsync(DemoRuleSet.Create(DemoWorld.Create()), cancellationToken);
        if (added > 0)
        {
            services.GetRequiredService<ILogger<DemoRulesSeeder>>().LogInformation("Added {Count} demo alert rules", added);
        }
    }
}
