using System.Collections.Concurrent;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using static CityOps.IntegrationTests.Telemetry.TelemetryHubTests;

namespace CityOps.IntegrationTests.Telemetry;

/// <summary>Two nodes sharing PostgreSQL and Redis: what a client of one node sees of readings sent to the other.</summary>
public class ScaleOutTests(ScaleOutFixture cluster) : IClassFixture<ScaleOutFixture>
{
    private const string Speed = "tcity.north.x1.speed";
    private const string Occupancy = "tcity.north.x1.occupancy";
    private const string PressTemp = "tplant.line1.press.temp";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SubscribeSensors_ReadingsIngestedAtTheOtherNode_ClientAndScreensOfThisNodeReceiveThem()
    {
        await using var connection = cluster.Connection(cluster.A);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSensors", new[] { Speed }, Ct);
        var (first, second) = ReadingTimes.SameSecond();

        await cluster.IngestAsync(cluster.B, (Speed, first, 40), (Speed, second, 62.5), (Occupancy, first, 9));

        var aggregate = await ReceiveAsync(received, a => a.Sensor == Speed && a.LastTs == second && a.Count == 2);
        Assert.Equal(ReadingTimes.WindowStart(first), aggregate.WindowStart);
        Assert.Equal((40, 62.5, 51.25, 62.5), (aggregate.Min, aggregate.Max, aggregate.Mean, aggregate.Last));
        Assert.All(received, a => Assert.Equal(Speed, a.Sensor));
        // The Blazor screens of node A read the same live store.
        Assert.True(cluster.A.Services.GetRequiredService<SensorCatalog>().TryGet(Speed, out SensorInfo speed));
        Assert.Equal(62.5, cluster.A.Services.GetRequiredService<LiveStore>().GetSensor(speed.Id)?.LastValue);
    }

    [Fact]
    public async Task SubscribeSensors_OneSecondsReadingsSplitAcrossNodes_ClientReceivesTheWholeWindowOnce()
    {
        await using var connection = cluster.Connection(cluster.B, messagePack: true);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSite", "tplant", Ct);
        await connection.InvokeAsync("SubscribeSensors", new[] { PressTemp }, Ct);
        var (first, second) = ReadingTimes.SameSecond();

        await cluster.IngestAsync(cluster.A, (PressTemp, first, 101));
        await cluster.IngestAsync(cluster.B, (PressTemp, second, 99));

        var aggregate = await ReceiveAsync(received, a => a.Sensor == PressTemp && a.WindowStart == ReadingTimes.WindowStart(first) && a.Count == 2);
        Assert.Equal((99, 101, 100), (aggregate.Min, aggregate.Max, aggregate.Mean));
        Assert.Single(received, a => a.Sensor == PressTemp && a.WindowStart == aggregate.WindowStart && a.Count == 2);
    }

    [Fact]
    public async Task SubscribeAlarms_AlarmRaisedByTheOtherNode_ClientReceivesIt()
    {
        await using var connection = cluster.Connection(cluster.A);
        var alarms = new ConcurrentQueue<JsonElement>();
        connection.On<JsonElement[]>("alarms", batch =>
        {
            foreach (var alarm in batch)
            {
                alarms.Enqueue(alarm);
            }
        });
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeAlarms", (string?)null, Ct);

        // A second of its own: a reading at the wall clock's second could land in the window another test of this
        // class counts on.
        var (ts, _) = ReadingTimes.SameSecond();
        await cluster.IngestAsync(cluster.B, (PressTemp, ts, ScaleOutFixture.PressTempHighLimit + 25));

        await Wait.UntilAsync(() => Task.FromResult(alarms.Any(a => a.GetProperty("ruleKey").GetString() == cluster.AlarmRule)),
            TimeSpan.FromSeconds(30), "the alarm raised at node B on node A's hub");
        var alarm = alarms.First(a => a.GetProperty("ruleKey").GetString() == cluster.AlarmRule);
        Assert.Equal("ActiveUnacknowledged", alarm.GetProperty("state").GetString());
        Assert.Equal(ScaleOutFixture.PressTempHighLimit + 25, alarm.GetProperty("value").GetDouble());
    }
}
