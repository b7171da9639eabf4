using System.Collections.Concurrent;
using System.Net;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Telemetry;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CityOps.IntegrationTests.Telemetry;

/// <summary>External consumers on the telemetry hub, with readings ingested over HTTP into a real database.</summary>
public class TelemetryHubTests(TelemetryHubFixture hub) : IClassFixture<TelemetryHubFixture>
{
    private const string Speed = "tcity.north.x1.speed";
    private const string Occupancy = "tcity.north.x1.occupancy";
    private const string PressTemp = "tplant.line1.press.temp";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SubscribeSensors_ReadingsIngested_ClientReceivesTheirOneSecondAggregate(bool messagePack)
    {
        await using var connection = hub.Connection(hub.Key, messagePack);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSensors", new[] { Speed }, Ct);
        var (first, second) = ReadingTimes.SameSecond();
        var value = messagePack ? 61.5 : 62.5;

        await hub.IngestAsync((Speed, first, 40), (Speed, second, value));

        var aggregate = await ReceiveAsync(received, a => a.Sensor == Speed && a.LastTs == second && a.Count == 2);
        Assert.Equal(new DateTime(first.Ticks - first.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc), aggregate.WindowStart);
        Assert.Equal(40, aggregate.Min);
        Assert.Equal(value, aggregate.Max);
        Assert.Equal((40 + value) / 2, aggregate.Mean, precision: 9);
        Assert.Equal(value, aggregate.Last);
    }

    [Fact]
    public async Task SubscribeSensors_TwoClients_EachReceivesOnlyWhatItAskedFor()
    {
        await using var speedClient = hub.Connection(hub.Key);
        await using var occupancyClient = hub.Connection(hub.Key, messagePack: true);
        var speed = Collect(speedClient);
        var occupancy = Collect(occupancyClient);
        await speedClient.StartAsync(Ct);
        await occupancyClient.StartAsync(Ct);
        await speedClient.InvokeAsync("SubscribeSensors", new[] { Speed }, Ct);
        await occupancyClient.InvokeAsync("SubscribeSensors", new[] { Occupancy }, Ct);
        var (ts, _) = ReadingTimes.SameSecond();

        await hub.IngestAsync((Speed, ts, 33), (Occupancy, ts, 77), (PressTemp, ts, 120));

        await ReceiveAsync(speed, a => a.Sensor == Speed && a.LastTs == ts && a.Last == 33);
        await ReceiveAsync(occupancy, a => a.Sensor == Occupancy && a.LastTs == ts && a.Last == 77);
        Assert.All(speed, a => Assert.Equal(Speed, a.Sensor));
        Assert.All(occupancy, a => Assert.Equal(Occupancy, a.Sensor));
    }

    [Fact]
    public async Task SubscribeSensors_ClientsWithTheSameSubscriptionsOnBothProtocols_EachReceivesTheBatch()
    {
        // Equal batches are sent as one shared message; each connection must still get it in its own protocol.
        await using var json = hub.Connection(hub.Key);
        await using var msgPack = hub.Connection(hub.Key, messagePack: true);
        await using var other = hub.Connection(hub.Key);
        var jsonReceived = Collect(json);
        var msgPackReceived = Collect(msgPack);
        var otherReceived = Collect(other);
        foreach (var connection in new[] { json, msgPack, other })
        {
            await connection.StartAsync(Ct);
        }
        await json.InvokeAsync("SubscribeSensors", new[] { Speed, Occupancy }, Ct);
        await msgPack.InvokeAsync("SubscribeSensors", new[] { Occupancy, Speed }, Ct);
        await other.InvokeAsync("SubscribeSensors", new[] { Speed }, Ct);
        var (ts, _) = ReadingTimes.SameSecond();

        await hub.IngestAsync((Speed, ts, 21), (Occupancy, ts, 64));

        foreach (var received in new[] { jsonReceived, msgPackReceived })
        {
            await ReceiveAsync(received, a => a.Sensor == Speed && a.LastTs == ts && a.Last == 21);
            await ReceiveAsync(received, a => a.Sensor == Occupancy && a.LastTs == ts && a.Last == 64);
        }
        await ReceiveAsync(otherReceived, a => a.Sensor == Speed && a.LastTs == ts && a.Last == 21);
        Assert.All(otherReceived, a => Assert.Equal(Speed, a.Sensor));
    }

    [Fact]
    public async Task UnsubscribeSensors_AfterwardsReadingsArrive_ClientReceivesNoMore()
    {
        await using var connection = hub.Connection(hub.Key);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSensors", new[] { Speed, Occupancy }, Ct);
        await connection.InvokeAsync("UnsubscribeSensors", new[] { Speed }, Ct);
        var (ts, _) = ReadingTimes.SameSecond();

        await hub.IngestAsync((Speed, ts, 11), (Occupancy, ts, 12));

        await ReceiveAsync(received, a => a.Sensor == Occupancy && a.LastTs == ts);
        Assert.DoesNotContain(received, a => a.Sensor == Speed);
    }

    [Fact]
    public async Task SubscribeSite_ReadingsOfItsSensors_ClientReceivesThemAndNotOtherSites()
    {
        await using var connection = hub.Connection(hub.Key);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSite", "tplant", Ct);
        var (ts, _) = ReadingTimes.SameSecond();

        await hub.IngestAsync((PressTemp, ts, 150.25), (Speed, ts, 50));

        var aggregate = await ReceiveAsync(received, a => a.Sensor == PressTemp && a.LastTs == ts);
        Assert.Equal(150.25, aggregate.Last);
        Assert.DoesNotContain(received, a => a.Sensor == Speed);
    }

    [Fact]
    public async Task SubscribeSite_AndOneOfItsSensors_EachReadingArrivesOnce()
    {
        await using var connection = hub.Connection(hub.Key);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSite", "tcity", Ct);
        await connection.InvokeAsync("SubscribeSensors", new[] { Speed }, Ct);
        var (ts, _) = ReadingTimes.SameSecond();

        await hub.IngestAsync((Speed, ts, 70), (Occupancy, ts, 5));

        await ReceiveAsync(received, a => a.Sensor == Speed && a.LastTs == ts);
        await ReceiveAsync(received, a => a.Sensor == Occupancy && a.LastTs == ts);
        Assert.Single(received, a => a.Sensor == Speed && a.LastTs == ts);
    }

    [Fact]
    public async Task SubscribeSensors_UnknownKey_FailsNamingTheKey()
    {
        await using var connection = hub.Connection(hub.Key);
        await connection.StartAsync(Ct);

        var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("SubscribeSensors", new[] { Speed, "no.such.sensor" }, Ct));

        Assert.Contains("no.such.sensor", error.Message);
    }

    [Fact]
    public async Task SubscribeSite_UnknownKey_FailsNamingTheKey()
    {
        await using var connection = hub.Connection(hub.Key);
        await connection.StartAsync(Ct);

        var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("SubscribeSite", "atlantis", Ct));

        Assert.Contains("atlantis", error.Message);
    }

    [Fact]
    public async Task StartAsync_NoCredentials_IsRefusedWith401()
    {
        await using var connection = hub.Connection(apiKey: null);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task StartAsync_KeyWithoutReadScope_IsRefused()
    {
        await using var connection = hub.Connection(hub.IngestOnlyKey);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task StartAsync_SignedInOperatorCookie_ReceivesAggregates()
    {
        var cookies = new CookieContainer();
        using (var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(hub.App.BaseUrl) })
        {
            var signIn = await AccountClient.SignInAsync(browser, TelemetryHubFixture.OperatorEmail, TelemetryHubFixture.OperatorPassword);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }
        await using var connection = hub.Connection(apiKey: null, cookies: cookies);
        var received = Collect(connection);
        await connection.StartAsync(Ct);
        await connection.InvokeAsync("SubscribeSensors", new[] { Occupancy }, Ct);
        var (ts, _) = ReadingTimes.SameSecond();

        await hub.IngestAsync((Occupancy, ts, 42));

        Assert.Equal(42, (await ReceiveAsync(received, a => a.Sensor == Occupancy && a.LastTs == ts)).Last);
    }

    [Fact]
    public async Task Connect_AccessTokenInQuery_IsAccepted()
    {
        await using var connection = new HubConnectionBuilder()
            .WithUrl(hub.App.BaseUrl + TelemetryHub.Path, o => o.AccessTokenProvider = () => Task.FromResult<string?>(hub.Key))
            .Build();

        await connection.StartAsync(Ct);

        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    internal static ConcurrentQueue<SensorAggregate> Collect(HubConnection connection)
    {
        var received = new ConcurrentQueue<SensorAggregate>();
        connection.On<SensorAggregate[]>(TelemetryHub.AggregatesMethod, batch =>
        {
            foreach (var item in batch)
            {
                received.Enqueue(item);
            }
        });
        return received;
    }

    internal static async Task<SensorAggregate> ReceiveAsync(ConcurrentQueue<SensorAggregate> received, Func<SensorAggregate, bool> match)
    {
        SensorAggregate? found = null;
        await Wait.UntilAsync(() => Task.FromResult((found = received.FirstOrDefault(match)) is not null), TimeSpan.FromSeconds(15), "a matching aggregate");
        return found!;
    }
}
