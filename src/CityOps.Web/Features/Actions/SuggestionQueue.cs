using System.Threading.Channels;
using CityOps.Web.Features.Alerts;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

/// <summary>
/// The alert engine's hand-off: raising an alarm only enqueues it; <see cref="SuggestionWorker"/> runs the playbooks
/// (which simulate the process many times) off the engine's path.
/// </summary>
public sealed class SuggestionQueue(IOptions<ActionsOptions> options, ILogger<SuggestionQueue> logger) : IAlarmRaisedHandler
{
    private readonly Channel<AlarmView> _alarms = Channel.CreateBounded<AlarmView>(
        new BoundedChannelOptions(options.Value.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    internal ChannelReader<AlarmView> Reader => _alarms.Reader;

    public void OnRaised(AlarmView alarm)
    {
        if (!_alarms.Writer.TryWrite(alarm))
        {
            logger.LogWarning("No suggestions for alarm {Id}: {Capacity} alarms are already waiting for suggestions", alarm.Id, options.Value.QueueCapacity);
        }
    }
}

/// <summary>Computes suggestions for raised alarms, one at a time.</summary>
internal sealed class SuggestionWorker(SuggestionQueue queue, SuggestionService suggestions, ILogger<SuggestionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var alarm in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await suggestions.GenerateAsync(alarm, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Suggestions for alarm {Id} ({Rule} on {Asset}) failed", alarm.Id, alarm.RuleKey, alarm.AssetKey);
            }
        }
    }
}

/// <summary>Sends pending commands, times out unanswered ones, expires stale suggestions and checks outcomes.</summary>
internal sealed class CommandWorker(CommandService commands, SuggestionService suggestions, CommandSignal signal, TimeProvider time, ILogger<CommandWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await commands.DispatchPendingAsync(stoppingToken);
                await commands.TimeOutOverdueAsync(stoppingToken);
                await commands.CheckOutcomesAsync(stoppingToken);
                await suggestions.ExpireStaleAsync(stoppingToken);
            }
            catch (System.Data.Common.DbException e) when (!stoppingToken.IsCancellationRequested)
            {
                // The database being away is an outage the health checks report, not a defect: retry quietly.
                logger.LogWarning("The command worker waits for the database: {Message}", e.Message);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "The command worker's sweep failed; it retries on the next one");
            }
            await signal.WaitAsync(Sweep, time, stoppingToken);
        }
    }
}

/// <summary>Wakes the command worker at once when a command becomes pending, instead of at its next sweep.</summary>
public sealed class CommandSignal
{
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => _signal.Writer.TryWrite(true);

    internal async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, cts.Token);
        var woken = _signal.Reader.WaitToReadAsync(cts.Token).AsTask();
        await Task.WhenAny(delay, woken);
        await cts.CancelAsync();
        _signal.Reader.TryRead(out _);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
