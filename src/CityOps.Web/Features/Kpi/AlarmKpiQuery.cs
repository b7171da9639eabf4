using CityOps.Analytics.Kpi;
using System.Text.Json;
using CityOps.Web.Data;
using CityOps.Web.Features.Actions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Kpi;

/// <summary>The alarms raised in a period, plus those still standing from before it (for the stale count).</summary>
public interface IAlarmHistory
{
    /// <summary>False when no alarm store is wired in; the page then says so instead of showing zeros.</summary>
    bool Available { get; }

    /// <summary>Operator areas to report even in a quiet period.</summary>
    Task<IReadOnlyList<string>> AreasAsync(CancellationToken ct);

    /// <summary>Alarms raised in [from, to), and alarms raised before <paramref name="from"/> that were not cleared before it.</summary>
    Task<IReadOnlyList<AlarmOccurrence>> OccurrencesAsync(DateTime from, DateTime to, CancellationToken ct);

    /// <summary>What became of the control actions suggested in [from, to).</summary>
    Task<IReadOnlyList<ActionDecision>> DecisionsAsync(DateTime from, DateTime to, CancellationToken ct);
}

public sealed record AlarmKpiReport(KpiPeriod Period, bool Available, AlarmSystemReport? Report, AlarmSystemReport? Previous,
    ResponseReport? Response = null, ResponseReport? PreviousResponse = null);

/// <summary>The alarm-system performance (EEMUA 191 / ISA-18.2) of a period, computed by <see cref="AlarmSystemKpis.Compute"/>.</summary>
public sealed class AlarmKpiQuery(IAlarmHistory history, IOptionsMonitor<KpiOptions> options)
{
    public async Task<AlarmKpiReport> ComputeAsync(KpiPeriod period, CancellationToken ct)
    {
        if (!history.Available)
            return new AlarmKpiReport(period, false, null, null);
        var areas = await history.AreasAsync(ct);
        var previous = period.Previous();
        var threshold = options.CurrentValue.AlarmFloodThreshold;
        var now = await history.OccurrencesAsync(period.From, period.To, ct);
        var before = await history.OccurrencesAsync(previous.From, previous.To, ct);
        return new AlarmKpiReport(period, true,
            AlarmSystemKpis.Compute(now, period.From, period.To, areas, threshold),
            AlarmSystemKpis.Compute(before, previous.From, previous.To, areas, threshold),
            ResponseKpis.Compute(await history.DecisionsAsync(period.From, period.To, ct)),
            ResponseKpis.Compute(await history.DecisionsAsync(previous.From, previous.To, ct)));
    }
}

/// <summary>The alarm history from the alarms table: one row per occurrence (a re-raise after return to normal is a new row).</summary>
internal sealed class DatabaseAlarmHistory(IDbContextFactory<CityOpsDbContext> dbFactory) : IAlarmHistory
{
    public bool Available => true;

    public async Task<IReadOnlyList<string>> AreasAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Alarms.AsNoTracking().Select(a => a.Area).Distinct().OrderBy(a => a).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<AlarmOccurrence>> OccurrencesAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Alarms.AsNoTracking()
            .Where(a => a.RaisedAt < to && (a.RaisedAt >= from || a.ClearedAt == null || a.ClearedAt >= from))
            .Select(a => new { a.RaisedAt, a.AcknowledgedAt, a.ClearedAt, a.Priority, a.Area, a.RuleKey, a.SourceKey })
            .ToListAsync(ct);
        return rows.Select(a => new AlarmOccurrence(a.RaisedAt, a.AcknowledgedAt, a.ClearedAt, a.Priority, a.Area, a.RuleKey, a.SourceKey)).ToList();
    }

    public async Task<IReadOnlyList<ActionDecision>> DecisionsAsync(DateTime from, DateTime to, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var suggestions = await db.Suggestions.AsNoTracking()
            .Where(s => s.CreatedAt >= from && s.CreatedAt < to)
            .Select(s => new { s.Id, s.Status })
            .ToListAsync(ct);
        var ids = suggestions.Select(s => s.Id).ToList();
        var commands = await db.Commands.AsNoTracking()
            .Where(c => c.SuggestionId != null && ids.Contains(c.SuggestionId.Value))
            .Select(c => new { SuggestionId = c.SuggestionId!.Value, c.Status, c.Outcome })
            .ToListAsync(ct);
        var bySuggestion = commands.ToLookup(c => c.SuggestionId);
        return suggestions.Select(s =>
        {
            var applied = bySuggestion[s.Id].FirstOrDefault(c => c.Status == CommandStatus.Applied);
            var outcome = applied?.Outcome is { } json ? JsonSerializer.Deserialize<OutcomeCheck>(json, CommandService.Json) : null;
            bool? asPredicted = outcome is { PredictedWithinLimit: { } p, ActualWithinLimit: { } a } ? p == a : null;
            return new ActionDecision(s.Status is SuggestionStatus.Accepted or SuggestionStatus.Modified, s.Status == SuggestionStatus.Rejected,
                s.Status == SuggestionStatus.Expired, applied is not null, asPredicted, outcome?.MeanAbsoluteError);
        }).ToList();
    }
}
