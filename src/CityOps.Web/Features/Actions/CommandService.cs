using System.Text.Json;
using System.Text.Json.Serialization;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.SensorDetail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

/// <summary>A request a user (or device) can get wrong; the message says what to do instead.</summary>
public sealed class ActionException(string message) : Exception(message);

/// <summary>What a device reports about a command.</summary>
public enum DeviceReportStatus { Acknowledged, Applied, Failed }

/// <summary>Actual readings after an applied command compared with what was predicted.</summary>
/// <param name="MeanAbsoluteError">Between the actual readings and the prediction at the same offset from the start.</param>
public sealed record OutcomeCheck(
    string SensorKey, int Readings, double? PredictedExtreme, double? ActualExtreme, bool? PredictedWithinLimit,
    bool? ActualWithinLimit, double? MeanAbsoluteError, string Verdict);

/// <summary>
/// Commands from request to outcome: second-operator confirmation, dispatch through the <see cref="ICommandChannel"/>,
/// device reports, timeouts, the actuator's value, and the check of the prediction against reality.
/// Every change is audited in the same transaction.
/// </summary>
public sealed class CommandService(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    ICommandChannel channel,
    AuditLog audit,
    ActionsNotifier notifier,
    ISensorHistory history,
    SensorCatalog sensors,
    TimeProvider time,
    IOptions<ActionsOptions> options,
    ILogger<CommandService> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Held while one command is sent and its new state saved, so a device report never overtakes that save.</summary>
    private readonly SemaphoreSlim _dispatching = new(1, 1);

    /// <summary>Adds a command to <paramref name="db"/> (saved by the caller with the decision that caused it).</summary>
    internal Command Add(CityOpsDbContext db, Actuator actuator, double value, string user, bool requiresConfirmation, Suggestion? suggestion)
    {
        var command = new Command
        {
            Suggestion = suggestion,
            ActuatorKey = actuator.Key,
            Value = value,
            PreviousValue = actuator.CurrentValue,
            RequestedBy = user,
            RequestedAt = Now(),
            RequiresConfirmation = requiresConfirmation,
            Status = requiresConfirmation ? CommandStatus.AwaitingConfirmation : CommandStatus.Pending,
        };
        db.Commands.Add(command);
        audit.Add(db, user, AuditCategory.ControlAction, "command.requested", Target(actuator.Key),
            before: new { actuator.CurrentValue }, after: new { Value = value, command.Status });
        return command;
    }

    /// <summary>The second operator's confirmation of a command for a Critical alarm; it is then sent.</summary>
    /// <exception cref="ActionException">Not awaiting confirmation, or the requester tries to confirm their own command.</exception>
    public async Task ConfirmAsync(long commandId, string user, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var command = await db.Commands.SingleOrDefaultAsync(c => c.Id == commandId, cancellationToken)
            ?? throw new ActionException($"Command {commandId} does not exist.");
        if (command.Status != CommandStatus.AwaitingConfirmation)
        {
            throw new ActionException($"Command {commandId} is {command.Status}, not awaiting confirmation.");
        }
        if (string.Equals(command.RequestedBy, user, StringComparison.OrdinalIgnoreCase))
        {
            throw new ActionException("A second operator must confirm this command: the operator who requested it cannot confirm it.");
        }
        command.ConfirmedBy = user;
        command.ConfirmedAt = Now();
        command.Status = CommandStatus.Pending;
        audit.Add(db, user, AuditCategory.ControlAction, "command.confirmed", Target(command.ActuatorKey),
            after: new { command.Id, command.Value, RequestedBy = command.RequestedBy });
        await db.SaveChangesAsync(cancellationToken);
        Changed();
    }

    /// <summary>Sends every pending command. Called by the worker (one sender at a time).</summary>
    internal async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var pending = await db.Commands.Where(c => c.Status == CommandStatus.Pending).OrderBy(c => c.Id).ToListAsync(cancellationToken);
        foreach (var command in pending)
        {
            await _dispatching.WaitAsync(cancellationToken);
            try
            {
                await DispatchAsync(db, command, cancellationToken);
            }
            finally
            {
                _dispatching.Release();
            }
        }
        if (pending.Count > 0)
        {
            Changed();
        }
        return pending.Count;
    }

    private async Task DispatchAsync(CityOpsDbContext db, Command command, CancellationToken cancellationToken)
    {
        var actuator = await db.Actuators.SingleAsync(a => a.Key == command.ActuatorKey, cancellationToken);
        var issued = Now();
        var deadline = issued + options.Value.CommandTimeout;
        var delivery = await channel.SendAsync(
            new CommandMessage(command.Id, command.ActuatorKey, actuator.Kind, command.Value, actuator.Unit, command.RequestedAt, command.RequestedBy,
                issued, deadline), cancellationToken);
        var now = Now();
        command.SentAt = now;
        switch (delivery.State)
        {
            case DeliveryState.Sent:
                command.Status = CommandStatus.Sent;
                command.DeadlineAt = deadline;
                audit.Add(db, "system", AuditCategory.ControlAction, "command.sent", Target(command.ActuatorKey), after: new { command.Id, command.Value });
                break;
            case DeliveryState.Applied:
                audit.Add(db, "system", AuditCategory.ControlAction, "command.sent", Target(command.ActuatorKey), after: new { command.Id, command.Value });
                command.AcknowledgedAt = now;
                Apply(db, command, actuator, "system");
                break;
            default:
                command.Status = CommandStatus.Failed;
                command.Error = delivery.Error;
                audit.Add(db, "system", AuditCategory.ControlAction, "command.failed", Target(command.ActuatorKey),
                    after: new { command.Id, command.Value }, reason: delivery.Error);
                logger.LogWarning("Command {Id} to {Actuator} failed: {Error}", command.Id, command.ActuatorKey, delivery.Error);
                break;
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A device's report about a sent command. Returns the command's status afterwards, or null if it does not exist.</summary>
    /// <exception cref="ActionException">The report does not fit the command's state (e.g. it already timed out).</exception>
    public async Task<CommandStatus?> ReportAsync(long commandId, DeviceReportStatus status, string? error, string actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var command = await db.Commands.SingleOrDefaultAsync(c => c.Id == commandId, cancellationToken);
        if (command?.Status == CommandStatus.Pending)
        {
            // A fast device can report before the dispatch that sent the command has saved it as sent: wait for that save.
            await _dispatching.WaitAsync(cancellationToken);
            _dispatching.Release();
            await db.Entry(command).ReloadAsync(cancellationToken);
        }
        if (command is null)
        {
            return null;
        }
        if (command.Status is not (CommandStatus.Sent or CommandStatus.Acknowledged))
        {
            throw new ActionException($"Command {commandId} is {command.Status}; only a sent command can be acknowledged, applied or failed.");
        }
        var now = Now();
        switch (status)
        {
            case DeviceReportStatus.Acknowledged:
                command.Status = CommandStatus.Acknowledged;
                command.AcknowledgedAt = now;
                audit.Add(db, actor, AuditCategory.ControlAction, "command.acknowledged", Target(command.ActuatorKey), after: new { command.Id });
                break;
            case DeviceReportStatus.Applied:
                command.AcknowledgedAt ??= now;
                var actuator = await db.Actuators.SingleAsync(a => a.Key == command.ActuatorKey, cancellationToken);
                Apply(db, command, actuator, actor);
                break;
            default:
                command.Status = CommandStatus.Failed;
                command.Error = string.IsNullOrWhiteSpace(error) ? "The device reported a failure without a reason." : error;
                audit.Add(db, actor, AuditCategory.ControlAction, "command.failed", Target(command.ActuatorKey), after: new { command.Id }, reason: command.Error);
                break;
        }
        await db.SaveChangesAsync(cancellationToken);
        Changed();
        return command.Status;
    }

    /// <summary>Times out commands sent but not applied by their deadline.</summary>
    internal async Task<int> TimeOutOverdueAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var overdue = await db.Commands
            .Where(c => (c.Status == CommandStatus.Sent || c.Status == CommandStatus.Acknowledged) && c.DeadlineAt < now)
            .ToListAsync(cancellationToken);
        foreach (var command in overdue)
        {
            var stage = command.Status == CommandStatus.Sent ? "acknowledged" : "applied";
            command.Status = CommandStatus.TimedOut;
            command.Error = $"The device did not report the command {stage} within {options.Value.CommandTimeout}.";
            audit.Add(db, "system", AuditCategory.ControlAction, "command.timed_out", Target(command.ActuatorKey), after: new { command.Id }, reason: command.Error);
        }
        if (overdue.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            logger.LogWarning("{Count} commands timed out", overdue.Count);
            Changed();
        }
        return overdue.Count;
    }

    /// <summary>For applied commands whose horizon has passed: compares the actual readings with the prediction.</summary>
    internal async Task<int> CheckOutcomesAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var due = await db.Commands.Include(c => c.Suggestion)
            .Where(c => c.Status == CommandStatus.Applied && c.Outcome == null && c.OutcomeDueAt <= now)
            .ToListAsync(cancellationToken);
        foreach (var command in due)
        {
            var check = await CheckAsync(command, cancellationToken);
            command.Outcome = JsonSerializer.Serialize(check, Json);
            audit.Add(db, "system", AuditCategory.ControlAction, "command.outcome_checked", Target(command.ActuatorKey), after: check);
        }
        if (due.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            Changed();
        }
        return due.Count;
    }

    private async Task<OutcomeCheck> CheckAsync(Command command, CancellationToken cancellationToken)
    {
        var effect = command.Suggestion?.PredictedEffect is { } json ? JsonSerializer.Deserialize<PredictedEffect>(json, Json) : null;
        if (effect is null)
        {
            return new OutcomeCheck("", 0, null, null, null, null, null, "No prediction to compare with.");
        }
        var limit = effect.Limit;
        if (!sensors.TryGet(limit.SensorKey, out var sensor))
        {
            return new OutcomeCheck(limit.SensorKey, 0, effect.With.Extreme, null, effect.With.StaysSafe, null, null, "The watched sensor is not registered.");
        }
        var start = command.AppliedAt!.Value;
        var actual = (await history.ReadAsync(sensor.Id, start, start + effect.Horizon, cancellationToken)).Series;
        if (actual.Count == 0)
        {
            return new OutcomeCheck(limit.SensorKey, 0, effect.With.Extreme, null, effect.With.StaysSafe, null, null, "No readings arrived during the horizon.");
        }
        var extreme = limit.Kind == LimitKind.High ? actual.Values.Max() : actual.Values.Min();
        var within = actual.Values.All(limit.IsSafe);
        // The prediction started when the suggestion was made, the action when it was applied: compare at equal offsets.
        var predictedStart = (effect.From - DateTime.UnixEpoch).TotalSeconds;
        var actualStart = (start - DateTime.UnixEpoch).TotalSeconds;
        var error = 0.0;
        var n = 0;
        for (var i = 0; i < actual.Count; i++)
        {
            if (Interpolate(effect.With.Times, effect.With.Values, predictedStart + actual.Timestamps[i] - actualStart) is { } predicted)
            {
                error += Math.Abs(actual.Values[i] - predicted);
                n++;
            }
        }
        var verdict = (effect.With.StaysSafe, within) switch
        {
            (true, true) => "As predicted: the limit was kept.",
            (false, false) => "As predicted: the limit was not kept.",
            (true, false) => "Worse than predicted: the limit was violated.",
            _ => "Better than predicted: the limit was kept.",
        };
        return new OutcomeCheck(limit.SensorKey, actual.Count, effect.With.Extreme, extreme, effect.With.StaysSafe, within, n > 0 ? error / n : null, verdict);
    }

    private static double? Interpolate(double[] times, double[] values, double t)
    {
        if (times.Length == 0 || t < times[0] || t > times[^1])
        {
            return null;
        }
        var i = Array.BinarySearch(times, t);
        if (i >= 0)
        {
            return values[i];
        }
        i = ~i;
        var f = (t - times[i - 1]) / (times[i] - times[i - 1]);
        return values[i - 1] + f * (values[i] - values[i - 1]);
    }

    private void Apply(CityOpsDbContext db, Command command, Actuator actuator, string actor)
    {
        var now = Now();
        var before = actuator.CurrentValue;
        command.Status = CommandStatus.Applied;
        command.AppliedAt = now;
        command.OutcomeDueAt = now + options.Value.Horizon;
        actuator.CurrentValue = command.Value;
        actuator.UpdatedAt = now;
        audit.Add(db, actor, AuditCategory.ControlAction, "command.applied", Target(actuator.Key),
            before: new { CurrentValue = before }, after: new { CurrentValue = command.Value, command.Id });
    }

    private void Changed() => notifier.Notify();

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private static string Target(string actuatorKey) => $"actuator:{actuatorKey}";
}
