using CityOps.IntegrationTests.Infrastructure;
using CityOps.Simulator.World;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Accounts;

/// <summary>Registering the world is part of demo seeding, next to the demo accounts.</summary>
public class WorldRegistrationTests(PostgresFixture pg)
{
    [Fact]
    public async Task RegisterAsync_NewWorld_AddsEverythingAndTheCatalogKnowsTheSensors()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var registration = app.Services.GetRequiredService<WorldRegistration>();

        var result = await registration.RegisterAsync(TestWorld.Create(), TestContext.Current.CancellationToken);

        Assert.Equal(2, result.SitesAdded.Count);
        Assert.Equal(4, result.AssetsAdded.Count);
        Assert.Equal(3, result.SensorsAdded.Count);
        Assert.Equal(2, result.ActuatorsAdded.Count);
        var catalog = app.Services.GetRequiredService<SensorCatalog>();
        Assert.True(catalog.TryGet("tcity.north.x1.speed", out var speed));
        Assert.Equal("tcity", speed.SiteKey);
        Assert.Equal(5, speed.IntervalSeconds);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        var crossing = await db.Assets.Include(a => a.Parent).SingleAsync(a => a.Key == "tcity.north.x1", TestContext.Current.CancellationToken);
        Assert.Equal("tcity.north", crossing.Parent!.Key);
        var actuator = await db.Actuators.SingleAsync(a => a.Key == "tplant.line1.speed", TestContext.Current.CancellationToken);
        Assert.Equal(40, actuator.CurrentValue);
    }

    [Fact]
    public async Task RegisterAsync_SameWorldTwice_AddsNothingTheSecondTime()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var registration = app.Services.GetRequiredService<WorldRegistration>();
        await registration.RegisterAsync(TestWorld.Create(), TestContext.Current.CancellationToken);

        var second = await registration.RegisterAsync(TestWorld.Create(), TestContext.Current.CancellationToken);

        Assert.Equal(0, second.Added);
        Assert.Equal(0, second.Updated);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, await db.Sites.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, await db.Sensors.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RegisterAsync_ChangedNameAndLiveActuatorValue_UpdatesNameKeepsLiveValue()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var registration = app.Services.GetRequiredService<WorldRegistration>();
        var factory = app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
        await registration.RegisterAsync(TestWorld.Create(), TestContext.Current.CancellationToken);
        await using (var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            await db.Actuators.Where(a => a.Key == "tplant.line1.speed").ExecuteUpdateAsync(a => a.SetProperty(x => x.CurrentValue, 55), TestContext.Current.CancellationToken);
        }

        var result = await registration.RegisterAsync(TestWorld.Create(cityName: "Renamed City"), TestContext.Current.CancellationToken);

        Assert.Equal(0, result.Added);
        Assert.Equal(1, result.Updated);
        await using var check = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal("Renamed City", (await check.Sites.SingleAsync(s => s.Key == "tcity", TestContext.Current.CancellationToken)).Name);
        Assert.Equal(55, (await check.Actuators.SingleAsync(a => a.Key == "tplant.line1.speed", TestContext.Current.CancellationToken)).CurrentValue);
    }

    [Fact]
    public async Task RegisterAsync_SensorOfUnknownAsset_FailsAndAddsNothing()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var registration = app.Services.GetRequiredService<WorldRegistration>();
        var world = TestWorld.Create();
        var broken = world with
        {
            Sensors = [.. world.Sensors, new SensorDefinition("ghost.temp", "ghost", CityOps.Analytics.MetricKind.Temperature, "°C", 0, 1, 1, 0, 0)],
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => registration.RegisterAsync(broken, TestContext.Current.CancellationToken));

        Assert.Contains("ghost", error.Message);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, await db.Sites.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RegisterAsync_DemoWorldTwice_RegistersTheWholeCatalogueOnce()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var registration = app.Services.GetRequiredService<WorldRegistration>();
        var world = CityOps.Simulator.DemoWorld.Create();

        var first = await registration.RegisterAsync(world, TestContext.Current.CancellationToken);
        var second = await registration.RegisterAsync(world, TestContext.Current.CancellationToken);

        Assert.Equal(world.Sites.Count + world.Assets.Count + world.Sensors.Count + world.Actuators.Count, first.Added);
        Assert.Equal(0, second.Added);
        Assert.Equal(0, second.Updated);
        Assert.Equal(world.Sensors.Count, app.Services.GetRequiredService<SensorCatalog>().All.Count);
    }

    [Fact]
    public async Task RegisterAsync_SyntheticFleet_RegistersEverySensorUnderItsSite()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        var fleet = CityOps.Simulator.SyntheticFleet.Create(sensorCount: 2_000, seed: 7);

        var result = await app.Services.GetRequiredService<WorldRegistration>().RegisterAsync(fleet, TestContext.Current.CancellationToken);

        Assert.Equal(2_000, result.SensorsAdded.Count);
        var catalog = app.Services.GetRequiredService<SensorCatalog>();
        Assert.All(catalog.All, s => Assert.Equal(CityOps.Simulator.SyntheticFleet.SiteKey, s.SiteKey));
    }
}
