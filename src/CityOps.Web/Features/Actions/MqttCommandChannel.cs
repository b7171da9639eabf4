using System.Buffers;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityOps.Web.Features.Actions;

/// <summary>
/// Publishes commands to the MQTT broker at QoS 1 on <c>&lt;prefix&gt;/&lt;actuator key&gt;/command</c> and queues the devices'
/// reports from <c>&lt;prefix&gt;/+/ack</c> for <see cref="MqttCommandWorker"/>. The worker keeps the connection (connects,
/// resubscribes and reconnects); a command sent while the broker is away fails at once with the reason instead of waiting.
/// </summary>
public sealed class MqttCommandChannel : ICommandChannel, IDisposable
{
    private const int ReportQueueCapacity = 10_000;

    private readonly MqttCommandOptions _options;
    private readonly ILogger<MqttCommandChannel> _logger;
    private readonly IMqttClient _client;
    private readonly Channel<MqttCommandReport> _reports = Channel.CreateBounded<MqttCommandReport>(
        new BoundedChannelOptions(ReportQueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource _disconnected = NewSignal();
    private string _lastProblem = "not connected yet";

    public MqttCommandChannel(IOptions<ActionsOptions> options, ILogger<MqttCommandChannel> logger)
    {
        _options = options.Value.Mqtt;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Device reports in arrival order; read by one consumer.</summary>
    internal ChannelReader<MqttCommandReport> Reports => _reports.Reader;

    public async Task<Delivery> SendAsync(CommandMessage message, CancellationToken cancellationToken)
    {
        if (!MqttCommandTopics.IsValidActuatorKey(message.ActuatorKey))
        {
            return Delivery.Failed($"The actuator key '{message.ActuatorKey}' cannot be an MQTT topic level (it contains '/', '+' or '#').");
        }
        if (!_client.IsConnected)
        {
            return Delivery.Failed($"The MQTT broker {Broker} is not connected ({_lastProblem}).");
        }
        var publish = new MqttApplicationMessageBuilder()
            .WithTopic(MqttCommandTopics.CommandTopic(_options.TopicPrefix, message.ActuatorKey))
            .WithPayload(MqttCommandTopics.CommandPayload(message))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            var result = await _client.PublishAsync(publish, timeout.Token);
            return result.IsSuccess
                ? new Delivery(DeliveryState.Sent)
                : Delivery.Failed($"The MQTT broker {Broker} refused the command: {result.ReasonCode} {result.ReasonString}".TrimEnd() + ".");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Delivery.Failed($"The MQTT broker {Broker} did not confirm the command within {_options.PublishTimeout}.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Command {Id} could not be published to {Broker}", message.CommandId, Broker);
            return Delivery.Failed($"The command could not be published to the MQTT broker {Broker}: {e.Message}");
        }
    }

    /// <summary>Connects and subscribes to the reports. Returns the reason on failure instead of throwing.</summary>
    internal async Task<string?> ConnectAsync(CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithCleanSession()
            .WithTimeout(_options.PublishTimeout);
        if (_options.Username is not null)
        {
            builder.WithCredentials(_options.Username, _options.Password);
        }
        if (_options.UseTls)
        {
            builder.WithTlsOptions(o => o.UseTls());
        }
        try
        {
            _disconnected = NewSignal();
            var connected = await _client.ConnectAsync(builder.Build(), cancellationToken);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                return _lastProblem = $"the broker refused the connection: {connected.ResultCode}";
            }
            var subscribe = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(MqttCommandTopics.ReportFilter(_options.TopicPrefix), MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            await _client.SubscribeAsync(subscribe, cancellationToken);
            _lastProblem = "connected";
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _disconnected.TrySetResult();
            return _lastProblem = e.Message;
        }
    }

    /// <summary>Completes when the connection made by the last <see cref="ConnectAsync"/> is lost.</summary>
    internal Task Disconnected => _disconnected.Task;

    internal async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        }
    }

    internal string Broker => $"{_options.Host}:{_options.Port}";

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs e)
    {
        if (e.ClientWasConnected)
        {
            _lastProblem = $"connection lost: {e.Reason}{(e.Exception is { } ex ? $", {ex.Message}" : "")}";
            _logger.LogWarning("The MQTT command channel lost the broker {Broker}: {Reason}", Broker, _lastProblem);
        }
        _disconnected.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>Only queues: this runs on the client's receive loop, which must stay free to read the broker's PUBACKs.</summary>
    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var payload = message.Payload.IsSingleSegment ? message.Payload.FirstSpan : message.Payload.ToArray();
        if (!MqttCommandTopics.TryParseReport(_options.TopicPrefix, message.Topic, payload, out var report, out var problem))
        {
            _logger.LogWarning("Ignored an MQTT message: {Problem}", problem);
        }
        else if (!_reports.Writer.TryWrite(report!))
        {
            _logger.LogError("The MQTT report queue is full; the report of command {Id} ({Status}) is dropped", report!.CommandId, report.Status);
        }
        return Task.CompletedTask;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose() => _client.Dispose();
}
