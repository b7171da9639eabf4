using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Assets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static CityOps.IntegrationTests.Actions.ActionsTestKit;

namespace CityOps.IntegrationTests.Actions;

/// <summary>Real equipment through the MQTT channel: an in-process MQTT broker, with the test playing the device.</summary>
public sealed class MqttCommandTests(PostgresFixture pg)
{
    private const string Prefix = "test/actuators";
    private const string Actuator = "tcity.north.x1.green";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AcceptSuggestion_MqttBroker_PublishesTheCommandAndDeviceReportsMoveItToApplied()
    {
        var port = KestrelApp.FreePort();
        await using var broker = await Broker.StartAsync(port);
        await using var app = await StartAppAsync(port);
        await WaitForSubscriptionAsync(broker);
        var view = await RaiseAndWaitAsync(app.Services, Alarm(301, "tcity.north.x1", "tcity.north.x1.occupancy", AlarmPriority.High), ExtendGreenPlaybook.PlaybookKey);

        var requested = await app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", Ct);
        var sent = await WaitForCommandAsync(app.Services, requested.Id, c => c.Status != CommandStatus.Pending, "the command to be sent");

        Assert.Equal(CommandStatus.Sent, sent.Status);
        var published = Assert.Single(broker.Published, m => m.Topic.EndsWith("/command", StringComparison.Ordinal));
        Assert.Equal($"{Prefix}/{Actuator}/command", published.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, published.Qos);
        using (var body = JsonDocument.Parse(published.Payload))
        {
            var root = body.RootElement;
            Assert.Equal(requested.Id, root.GetProperty("commandId").GetInt64());
            Assert.Equal(Actuator, root.GetProperty("actuatorKey").GetString());
            Assert.Equal("SignalTiming", root.GetProperty("kind").GetString());
            Assert.Equal(40, root.GetProperty("value").GetDouble());
            Assert.Equal("s", root.GetProperty("unit").GetString());
            var issued = root.GetProperty("issuedAt").GetDateTime();
            Assert.Equal(sent.DeadlineAt!.Value, root.GetProperty("expiresAt").GetDateTime(), TimeSpan.FromMilliseconds(1));
            Assert.True(issued < sent.DeadlineAt, "a command expires after it is issued");
        }

        await broker.ReportAsync(Actuator, $$"""{ "commandId": {{requested.Id}}, "status": "acknowledged" }""");
        var acknowledged = await WaitForCommandAsync(app.Services, requested.Id, c => c.Status != CommandStatus.Sent, "the device's acknowledgement");
        Assert.Equal(CommandStatus.Acknowledged, acknowledged.Status);
        Assert.NotNull(acknowledged.AcknowledgedAt);

        await broker.ReportAsync(Actuator, $$"""{ "commandId": {{requested.Id}}, "status": "applied" }""");
        var applied = await WaitForCommandAsync(app.Services, requested.Id, c => c.IsFinal, "the device's applied report");
        Assert.Equal(CommandStatus.Applied, applied.Status);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
            Assert.Equal(40, (await db.Actuators.AsNoTracking().SingleAsync(a => a.Key == Actuator, Ct)).CurrentValue);
            Assert.Contains("mqtt:" + Actuator, await db.AuditLog.AsNoTracking().Where(e => e.Action == "command.applied").Select(e => e.Actor).ToListAsync(Ct));
        }
    }

    [Fact]
    public async Task AcceptSuggestion_BrokerDown_FailsPromptlyWithTheReasonAndTheChannelReconnectsWhenItReturns()
    {
        var port = KestrelApp.FreePort();
        await using var app = await StartAppAsync(port);
        var view = await RaiseAndWaitAsync(app.Services, Alarm(302, "tcity.north.x1", "tcity.north.x1.occupancy", AlarmPriority.High), ExtendGreenPlaybook.PlaybookKey);

        var requested = await app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", Ct);
        var failed = await WaitForCommandAsync(app.Services, requested.Id, c => c.IsFinal, "the command to fail", TimeSpan.FromSeconds(5));

        Assert.Equal(CommandStatus.Failed, failed.Status);
        Assert.Contains($"MQTT broker 127.0.0.1:{port} is not connected", failed.Error);

        // The broker comes up: the channel connects and subscribes by itself.
        await using var broker = await Broker.StartAsync(port);
        await WaitForSubscriptionAsync(broker);
        Assert.True(app.Services.GetRequiredService<MqttCommandChannel>().IsConnected);
    }

    private async Task<CityOpsAppFactory> StartAppAsync(int port)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Actions:Channel"] = "Mqtt",
            ["Actions:Mqtt:Host"] = "127.0.0.1",
            ["Actions:Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Actions:Mqtt:TopicPrefix"] = Prefix,
            ["Actions:Mqtt:ClientId"] = "cityops-test",
            ["Actions:Mqtt:ReconnectDelay"] = "00:00:00.200",
            ["Actions:Mqtt:PublishTimeout"] = "00:00:02",
        };
        var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync(), settings);
        await app.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create(), Ct);
        return app;
    }

    private static Task WaitForSubscriptionAsync(Broker broker) =>
        Wait.UntilAsync(() => Task.FromResult(broker.Subscriptions.Contains($"{Prefix}/+/ack")), TimeSpan.FromSeconds(15), "CityOps to subscribe to the reports");

    private sealed record Published(string Topic, MqttQualityOfServiceLevel Qos, byte[] Payload);

    /// <summary>An MQTT broker in the test process that records what CityOps publishes and subscribes to.</summary>
    private sealed class Broker : IAsyncDisposable
    {
        private readonly MqttServer _server;

        private Broker(MqttServer server)
        {
            _server = server;
            _server.InterceptingPublishAsync += e =>
            {
                Published.Add(new Published(e.ApplicationMessage.Topic, e.ApplicationMessage.QualityOfServiceLevel, e.ApplicationMessage.Payload.ToArray()));
                return Task.CompletedTask;
            };
            _server.InterceptingSubscriptionAsync += e =>
            {
                Subscriptions.Add(e.TopicFilter.Topic);
                return Task.CompletedTask;
            };
        }

        public ConcurrentBag<Published> Published { get; } = [];

        public ConcurrentBag<string> Subscriptions { get; } = [];

        public static async Task<Broker> StartAsync(int port)
        {
            var options = new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
                .WithDefaultEndpointPort(port).Build();
            var broker = new Broker(new MqttServerFactory().CreateMqttServer(options));
            await broker._server.StartAsync();
            return broker;
        }

        /// <summary>What the device would publish on its report topic.</summary>
        public Task ReportAsync(string actuatorKey, string json) => _server.InjectApplicationMessage(
            new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
                .WithTopic($"{Prefix}/{actuatorKey}/ack").WithPayload(Encoding.UTF8.GetBytes(json))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()) { SenderClientId = "device" }, Ct);

        public async ValueTask DisposeAsync()
        {
            await _server.StopAsync();
            _server.Dispose();
        }
    }
}
