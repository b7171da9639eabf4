using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

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
    public async Task Start_ReadingsCommittedButNotYetStoredWhenTheProcessDied_LiveStoreHasThem()
    {
        var database = await pg.CreateDatabaseAsync();
        var now = DateTime.UtcNow;
        var newest = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc).AddSeconds(-1);
        int speedId;
        await using (var first = new TelemetryHubFixture(pg))
        {
            await first.InitializeAsync(database);
            await first.IngestAsync(("tcity.north.x1.speed", newest.AddSeconds(-5), 10));
            Assert.True(first.App.Services.GetRequiredService<SensorCatalog>().TryGet("tcity.north.x1.speed", out var s));
            speedId = s.Id;
        }
        // What a writer leaves when its process dies right after a commit: the delta, its readings not stored yet.
        var delta = new byte[RollupDelta.BytesPerReading];
        RollupDelta.Encode(new PendingReading(speedId, newest, 42.5), delta);
        var minute = new DateTime(newest.Ticks - newest.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync(TestContext.Current.CancellationToken);
            await using var insert = new NpgsqlCommand(
                "INSERT INTO rollup_delta (written_at, first_bucket, last_bucket, readings, stored) VALUES (now(), $1, $1, $2, false)", conn)
            {
                Parameters = { new() { Value = minute }, new() { Value = delta } },
            };
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var second = KestrelApp.Start(database);
        var store = second.Services.GetRequiredService<LiveStore>();

        await Wait.UntilAsync(() => Task.FromResult(store.GetSensor(speedId)?.LastValue is not null), TimeSpan.FromSeconds(30), "the warm-up");

        Assert.Equal(42.5, store.GetSensor(speedId)!.LastValue);
        Assert.Equal(newest, store.GetSensor(speedId)!.LastTs);
    }
}
