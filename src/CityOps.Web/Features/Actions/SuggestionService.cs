using System.Globalization;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

/// <summary>
/// Which playbooks a rule offers (its <see cref="AlertRuleDefinition.Playbooks"/>). Null means the rule is not
/// known here; then every playbook that fits the alarm's asset is tried.
/// </summary>
public interface IRulePlaybooks
{
    IReadOnlyList<string>? For(string ruleKey);
}

/// <summary>The playbooks listed on the rule the alert engine runs.</summary>
internal sealed class RuleDefinedPlaybooks(AlertEngineService engine) : IRulePlaybooks
{
    public IReadOnlyList<string>? For(string ruleKey) => engine.FindRule(ruleKey)?.Playbooks;
}

/// <summary>A suggestion as screens show it, with its decoded prediction, alternatives and commands.</summary>
public sealed record SuggestionView(Suggestion Suggestion, PredictedEffect? Effect, IReadOnlyList<Candidate> Alternatives, IReadOnlyList<Command> Commands, ActuatorRange? Range);

/// <summary>What an actuator accepts, for the Modify field.</summary>
public sealed record ActuatorRange(double Min, double Max, string Unit, double CurrentValue);

/// <summary>Open work for the shift handover: undecided suggestions and commands not yet finished.</summary>
public sealed record PendingWork(IReadOnlyList<Suggestion> OpenSuggestions, IReadOnlyList<Command> OpenCommands, IReadOnlyDictionary<long, long> AlarmsBySuggestion);

/// <summary>Creates suggestions for raised alarms and records operators' decisions on them.</summary>
public sealed class SuggestionService(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    IEnumerable<IPlaybook> playbooks,
    IRulePlaybooks rulePlaybooks,
    IProcessModel model,
    CommandService commands,
    CommandSignal signal,
    ActionsNotifier notifier,
    AuditLog audit,
    TimeProvider time,
    IOptions<ActionsOptions> options,
    ILogger<SuggestionService> logger)
{
    private readonly IReadOnlyList<IPlaybook> _playbooks = [.. playbooks];

    /// <summary>Runs the alarm's playbooks and stores one suggestion per playbook that has a candidate. Repeated calls add nothing.</summary>
    public async Task<IReadOnlyList<Suggestion>> GenerateAsync(AlarmView alarm, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var done = await db.Suggestions.Where(s => s.AlarmId == alarm.Id).Select(s => s.PlaybookKey).ToListAsync(cancellationToken);
        var keys = rulePlaybooks.For(alarm.RuleKey);
        var selected = _playbooks.Where(p => (keys is null || keys.Contains(p.Key)) && !done.Contains(p.Key)).ToList();
        if (selected.Count == 0)
        {
            return [];
        }
        var started = time.GetTimestamp();
        var actuators = await ActuatorsOfAsync(db, alarm.AssetKey, cancellationToken);
        var whatIf = model.Begin();
        var context = new PlaybookContext(alarm, actuators, whatIf, options.Value.Limits, options.Value.Horizon);
        var created = new List<Suggestion>();
        foreach (var playbook in selected)
        {
            var candidates = playbook.Propose(context);
            if (candidates.Count == 0)
            {
                logger.LogDebug("Playbook {Playbook} has nothing to suggest for alarm {Id}", playbook.Key, alarm.Id);
                continue;
            }
            var best = candidates[0];
            var suggestion = new Suggestion
            {
                AlarmId = alarm.Id,
                AlarmPriority = alarm.Priority,
                PlaybookKey = playbook.Key,
                ActuatorKey = best.ActuatorKey,
                ProposedValue = best.Value,
                Unit = best.Unit,
                Description = best.Description,
                PredictedEffect = best.Effect is null ? null : JsonSerializer.Serialize(best.Effect, CommandService.Json),
                Confidence = best.Effect?.Confidence,
                Note = best.Note,
                Alternatives = JsonSerializer.Serialize(candidates, CommandService.Json),
                CreatedAt = Now(),
                Status = SuggestionStatus.Proposed,
            };
            db.Suggestions.Add(suggestion);
            audit.Add(db, "system", AuditCategory.ControlAction, "suggestion.created", $"alarm:{alarm.Id}",
                after: new { playbook.Key, best.ActuatorKey, best.Value, best.Effect?.Confidence, Summary = best.Effect?.Summary });
            created.Add(suggestion);
        }
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Alarm {Id} ({Rule} on {Asset}): {Count} suggestions in {Elapsed:F0} ms, {Model}",
            alarm.Id, alarm.RuleKey, alarm.AssetKey, created.Count, time.GetElapsedTime(started).TotalMilliseconds,
            whatIf is null ? "no process model" : "predicted by the process model");
        if (created.Count > 0)
        {
            notifier.Notify();
        }
        return created;
    }

    /// <summary>Accepts the proposed value: a command is requested (and sent unless a second operator must confirm).</summary>
    public Task<Command> AcceptAsync(long suggestionId, string user, CancellationToken cancellationToken) =>
        DecideAsync(suggestionId, null, null, user, cancellationToken);

    /// <summary>Accepts with another value, which must lie within the actuator's range.</summary>
    /// <exception cref="ActionException">The value is outside the actuator's range, or the suggestion is already decided.</exception>
    public Task<Command> ModifyAsync(long suggestionId, double value, string? reason, string user, CancellationToken cancellationToken) =>
        DecideAsync(suggestionId, value, reason, user, cancellationToken);

    /// <exception cref="ActionException">No reason given, or the suggestion is already decided.</exception>
    public async Task RejectAsync(long suggestionId, string reason, string user, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new ActionException("Say why the suggestion is rejected: the reason is kept for the shift and for improving the playbooks.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var suggestion = await OpenSuggestionAsync(db, suggestionId, cancellationToken);
        suggestion.Status = SuggestionStatus.Rejected;
        suggestion.DecidedBy = user;
        suggestion.DecidedAt = Now();
        suggestion.Reason = reason.Trim();
        audit.Add(db, user, AuditCategory.ControlAction, "suggestion.rejected", $"alarm:{suggestion.AlarmId}",
            after: new { suggestion.Id, suggestion.PlaybookKey, suggestion.ActuatorKey, suggestion.ProposedValue }, reason: suggestion.Reason);
        await db.SaveChangesAsync(cancellationToken);
        notifier.Notify();
    }

    private async Task<Command> DecideAsync(long suggestionId, double? modified, string? reason, string user, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var suggestion = await OpenSuggestionAsync(db, suggestionId, cancellationToken);
        var actuator = await db.Actuators.SingleOrDefaultAsync(a => a.Key == suggestion.ActuatorKey, cancellationToken)
            ?? throw new ActionException($"The actuator {suggestion.ActuatorKey} is no longer registered.");
        var value = modified ?? suggestion.ProposedValue;
        if (!(value >= actuator.Min && value <= actuator.Max))
        {
            throw new ActionException(string.Create(CultureInfo.InvariantCulture,
                $"{actuator.Key} accepts {actuator.Min:0.##} to {actuator.Max:0.##} {actuator.Unit}; {value:0.##} is outside that range."));
        }
        var isModified = modified is not null && modified.Value != suggestion.ProposedValue;
        suggestion.Status = isModified ? SuggestionStatus.Modified : SuggestionStatus.Accepted;
        suggestion.DecidedBy = user;
        suggestion.DecidedAt = Now();
        suggestion.Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        audit.Add(db, user, AuditCategory.ControlAction, isModified ? "suggestion.modified" : "suggestion.accepted", $"alarm:{suggestion.AlarmId}",
            before: new { suggestion.ProposedValue }, after: new { suggestion.Id, suggestion.ActuatorKey, Value = value }, reason: suggestion.Reason);
        var command = commands.Add(db, actuator, value, user, suggestion.AlarmPriority == AlarmPriority.Critical, suggestion);
        await db.SaveChangesAsync(cancellationToken);
        signal.Set();
        notifier.Notify();
        return command;
    }

    /// <summary>Suggestions still undecided after the horizon are expired: their prediction no longer describes the present.</summary>
    internal async Task<int> ExpireStaleAsync(CancellationToken cancellationToken)
    {
        var cutoff = Now() - options.Value.Horizon;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stale = await db.Suggestions.Where(s => s.Status == SuggestionStatus.Proposed && s.CreatedAt < cutoff).ToListAsync(cancellationToken);
        foreach (var s in stale)
        {
            s.Status = SuggestionStatus.Expired;
            s.DecidedAt = Now();
            s.DecidedBy = "system";
            audit.Add(db, "system", AuditCategory.ControlAction, "suggestion.expired", $"alarm:{s.AlarmId}", after: new { s.Id, s.PlaybookKey });
        }
        if (stale.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
            notifier.Notify();
        }
        return stale.Count;
    }

    /// <summary>The alarm's suggestions, newest first, with their commands.</summary>
    public async Task<IReadOnlyList<SuggestionView>> ForAlarmAsync(long alarmId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var suggestions = await db.Suggestions.AsNoTracking().Where(s => s.AlarmId == alarmId).OrderByDescending(s => s.Id).ToListAsync(cancellationToken);
        var ids = suggestions.Select(s => (long?)s.Id).ToList();
        var cmds = await db.Commands.AsNoTracking().Where(c => ids.Contains(c.SuggestionId)).OrderByDescending(c => c.Id).ToListAsync(cancellationToken);
        var keys = suggestions.Select(s => s.ActuatorKey).Distinct().ToList();
        var ranges = await db.Actuators.AsNoTracking().Where(a => keys.Contains(a.Key))
            .ToDictionaryAsync(a => a.Key, a => new ActuatorRange(a.Min, a.Max, a.Unit, a.CurrentValue), cancellationToken);
        return [.. suggestions.Select(s => new SuggestionView(
            s,
            s.PredictedEffect is null ? null : JsonSerializer.Deserialize<PredictedEffect>(s.PredictedEffect, CommandService.Json),
            JsonSerializer.Deserialize<List<Candidate>>(s.Alternatives, CommandService.Json) ?? [],
            [.. cmds.Where(c => c.SuggestionId == s.Id)],
            ranges.GetValueOrDefault(s.ActuatorKey)))];
    }

    /// <summary>Undecided suggestions and unfinished commands, oldest first.</summary>
    public async Task<PendingWork> PendingAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var open = await db.Suggestions.AsNoTracking().Where(s => s.Status == SuggestionStatus.Proposed).OrderBy(s => s.Id).ToListAsync(cancellationToken);
        var unfinished = await db.Commands.AsNoTracking()
            .Where(c => c.Status == CommandStatus.AwaitingConfirmation || c.Status == CommandStatus.Pending
                || c.Status == CommandStatus.Sent || c.Status == CommandStatus.Acknowledged)
            .OrderBy(c => c.Id).ToListAsync(cancellationToken);
        var ids = unfinished.Where(c => c.SuggestionId is not null).Select(c => c.SuggestionId!.Value).Distinct().ToList();
        var alarms = await db.Suggestions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.AlarmId, cancellationToken);
        return new PendingWork(open, unfinished, alarms);
    }

    /// <summary>The actuators of the asset and of its ancestors (a machine's line carries the speed and coolant).</summary>
    private static async Task<IReadOnlyList<ActuatorInfo>> ActuatorsOfAsync(CityOpsDbContext db, string assetKey, CancellationToken cancellationToken)
    {
        var result = new List<ActuatorInfo>();
        var asset = await db.Assets.AsNoTracking().Include(a => a.Actuators).SingleOrDefaultAsync(a => a.Key == assetKey, cancellationToken);
        while (asset is not null)
        {
            result.AddRange(asset.Actuators.Select(a => new ActuatorInfo(a.Key, asset.Key, a.Kind, a.Unit, a.Min, a.Max, a.CurrentValue)));
            var parentId = asset.ParentId;
            asset = parentId is null ? null : await db.Assets.AsNoTracking().Include(a => a.Actuators).SingleOrDefaultAsync(a => a.Id == parentId, cancellationToken);
        }
        return result;
    }

    private static async Task<Suggestion> OpenSuggestionAsync(CityOpsDbContext db, long id, CancellationToken cancellationToken)
    {
        var suggestion = await db.Suggestions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken)
            ?? throw new ActionException($"Suggestion {id} does not exist.");
        return suggestion.Status == SuggestionStatus.Proposed
            ? suggestion
            : throw new ActionException($"Suggestion {id} was already {suggestion.Status.ToString().ToLowerInvariant()} by {suggestion.DecidedBy}.");
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
