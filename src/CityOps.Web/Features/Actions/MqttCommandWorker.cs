using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

/// <summary>
/// With the MQTT channel: keeps the broker connection (reconnects after <see cref="MqttCommandOptions.ReconnectDelay"/>)
/// and hands the devices' reports to <see cref="CommandService.ReportAsync"/>, the same path as the HTTP acknowledgement.
/// Idle with any other channel.
/// </summary>
internal sealed class MqttCommandWorker(
    IServiceProvider services, IOptions<ActionsOptions> options, TimeProvider time, ILogger<MqttCommandWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Channel != CommandChannelKind.Mqtt)
        {
            return;
        }
        var channel = services.GetRequiredService<MqttCommandChannel>();
        var commands = services.GetRequiredService<CommandService>();
        var reports = ReadReportsAsync(channel, commands, stoppingToken);
        try
        {
            await KeepConnectedAsync(channel, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await channel.DisconnectAsync(CancellationToken.None);
        }
        await reports;
    }

    private async Task KeepConnectedAsync(MqttCommandChannel channel, CancellationToken stoppingToken)
    {
        var delay = options.Value.Mqtt.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var problem = await channel.ConnectAsync(stoppingToken);
            if (problem is null)
            {
                logger.LogInformation("The MQTT command channel is connected to {Broker}", channel.Broker);
                await channel.Disconnected.WaitAsync(stoppingToken);
            }
            else
            {
                logger.LogWarning("The MQTT command channel cannot reach {Broker}: {Problem}; retrying in {Delay}", channel.Broker, problem, delay);
            }
            await Task.Delay(delay, time, stoppingToken);
        }
    }

    private async Task ReadReportsAsync(MqttCommandChannel channel, CommandService commands, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var report in channel.Reports.ReadAllAsync(stoppingToken))
            {
                try
                {
                    var status = await commands.ReportAsync(report.CommandId, report.Status, report.Error, $"mqtt:{report.ActuatorKey}", stoppingToken);
                    if (status is null)
                    {
                        logger.LogWarning("MQTT report for unknown command {Id} from {Actuator} ignored", report.CommandId, report.ActuatorKey);
                    }
                }
                catch (ActionException e)
                {
                    logger.LogWarning("MQTT report {Status} for command {Id} from {Actuator} ignored: {Reason}", report.Status, report.CommandId, report.ActuatorKey, e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "MQTT report {Status} for command {Id} could not be recorded", report.Status, report.CommandId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
