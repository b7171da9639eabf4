using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Telemetry;

/// <summary>After a restart the live store shows each sensor's newest stored reading instead of nothing.</summary>
public class LiveWarmUpTests(PostgresFixture pg)
{
    [Fact]
    public async Task Start_ReadingsStoredBeforeRestart_LiveStoreHasEachSensorsNewest()
    {
        var database = await pg.CreateDatabaseAsync();
        var now = DateTime.UtcNow;
        var newest = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc).AddSeconds(-1);
        await using (var first = new TelemetryHubFixture(pg))
        {
            await first.InitializeAsync(database);
            await first.IngestAsync(("tcity.north.x1.speed", newest.AddSeconds(-10), 10), ("tcity.north.x1.speed", newest, 55.5), ("tplant.line1.press.temp", newest.AddSeconds(-3), 180));
        }

        await using var second = KestrelApp.Start(database);
        var store = second.Services.GetRequiredService<LiveStore>();
        var catalog = second.Services.GetRequiredService<SensorCatalog>();
        Assert.True(catalog.TryGet("tcity.north.x1.speed", out var speed));
        Assert.True(catalog.TryGet("tplant.line1.press.temp", out var temp));

        await Wait.UntilAsync(() => Task.FromResult(store.GetSensor(speed.Id)?.LastValue is not null), TimeSpan.FromSeconds(30), "the warm-up");

        Assert.Equal(55.5, store.GetSensor(speed.Id)!.LastValue);
        Assert.Equal(newest, store.GetSensor(speed.Id)!.LastTs);
        Assert.Equal(180, store.GetSensor(temp.Id)!.LastValue);
    }

    [Fact]
    public async Task Start_ReadingsCommittedButNotYetStoredBeforeRestart_LiveStoreHasThem()
    {
        var database = await pg.CreateDatabaseAsync();
        var now = DateTime.UtcNow;
        var newest = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc).AddSeconds(-1);
        // The first run's rollup worker never gets to store them: they are still in their delta when it stops.
        var quietWorker = new Dictionary<string, string?> { ["Ingest:RollupInterval"] = "00:10:00", ["Ingest:RollupMaxLag"] = "00:10:00" };
        await using (var first = new TelemetryHubFixture(pg))
        {
            await first.InitializeAsync(database, quietWorker);
            await first.IngestAsync(("tcity.north.x1.speed", newest, 42.5));
        }
        Assert.Equal(1L, await Ingest.IngestTestHost.QueryScalarAsync<long>(database, "SELECT count(*) FROM rollup_delta WHERE NOT stored"));

        await using var second = KestrelApp.Start(database);
        var store = second.Services.GetRequiredService<LiveStore>();
        Assert.True(second.Services.GetRequiredService<SensorCatalog>().TryGet("tcity.north.x1.speed", out var speed));

        await Wait.UntilAsync(() => Task.FromResult(store.GetSensor(speed.Id)?.LastValue is not null), TimeSpan.FromSeconds(30), "the warm-up");

        Assert.Equal(42.5, store.GetSensor(speed.Id)!.LastValue);
        Assert.Equal(newest, store.GetSensor(speed.Id)!.LastTs);
    }
}
