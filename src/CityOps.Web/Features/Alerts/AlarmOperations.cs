using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Alerts;

/// <summary>An operator action the alarm's state does not allow, or an alarm that does not exist.</summary>
public sealed class AlarmOperationException(string message, bool notFound = false) : InvalidOperationException(message)
{
    public bool NotFound { get; } = notFound;
}

/// <summary>What operators do to alarms. Every call records who, when and why (alarm events and the audit log).</summary>
public sealed class AlarmOperations(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    AlarmBoard board,
    AlarmWriteGate writeGate,
    AuditLog audit,
    IOptions<AlertOptions> options,
    TimeProvider time)
{
    /// <summary>Acknowledges the given alarms; alarms that cannot be acknowledged in their state are skipped. Returns how many changed.</summary>
    public async Task<int> AcknowledgeAsync(IReadOnlyCollection<long> alarmIds, string user, string? comment, CancellationToken ct)
    {
        using var _ = await writeGate.EnterAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alarms = await db.Alarms.Where(a => alarmIds.Contains(a.Id)).ToListAsync(ct);
        var now = Now();
        var changed = new List<AlarmView>();
        foreach (var alarm in alarms)
        {
            var t = AlarmLifecycle.Acknowledge(alarm.Status);
            if (!t.Allowed)
            {
                continue;
            }
            alarm.AcknowledgedAt = now;
            alarm.AcknowledgedBy = user;
            Record(db, alarm, t.Status, user, AlarmEventKinds.Acknowledged, comment, now);
            changed.Add(alarm.ToView());
        }
        await db.SaveChangesAsync(ct);
        board.Apply(changed);
        return changed.Count;
    }

    /// <summary>Shelves for <paramref name="duration"/> (at most the configured maximum) with a required reason.</summary>
    public Task ShelveAsync(long alarmId, TimeSpan duration, string reason, string user, CancellationToken ct) =>
        ChangeAsync(alarmId, user, AlarmEventKinds.Shelved, reason, ct,
            (alarm, now) => AlarmLifecycle.Shelve(alarm.Status, now, duration, options.Value.MaxShelveDuration, reason),
            alarm =>
            {
                alarm.ShelvedBy = user;
                alarm.ShelveReason = reason;
            });

    public Task UnshelveAsync(long alarmId, string user, CancellationToken ct) =>
        ChangeAsync(alarmId, user, AlarmEventKinds.Unshelved, null, ct, (alarm, _) => AlarmLifecycle.Unshelve(alarm.Status));

    public Task SetOutOfServiceAsync(long alarmId, bool outOfService, string reason, string user, CancellationToken ct) => outOfService
        ? ChangeAsync(alarmId, user, AlarmEventKinds.OutOfService, reason, ct,
            (alarm, _) => AlarmLifecycle.RemoveFromService(alarm.Status, reason), alarm => alarm.OutOfServiceBy = user)
        : ChangeAsync(alarmId, user, AlarmEventKinds.ReturnedToService, reason, ct, (alarm, _) => AlarmLifecycle.ReturnToService(alarm.Status));

    public async Task CommentAsync(long alarmId, string text, string user, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new AlarmOperationException("A comment needs text.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alarm = await db.Alarms.AsNoTracking().SingleOrDefaultAsync(a => a.Id == alarmId, ct) ?? throw NotFound(alarmId);
        var now = Now();
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = alarm.Id, At = now, Actor = user, Kind = AlarmEventKinds.Comment, Reason = text });
        audit.Add(db, user, AuditCategory.Alarm, "alarm.commented", Target(alarm.Id), reason: text);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Every transition and comment of the alarm, oldest first.</summary>
    public async Task<IReadOnlyList<AlarmEventView>> HistoryAsync(long alarmId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = await db.AlarmEvents.AsNoTracking().Where(e => e.AlarmId == alarmId).OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        return events.Select(e => e.ToView()).ToArray();
    }

    /// <summary>Any alarm (standing or history) by id.</summary>
    public async Task<AlarmView?> FindAsync(long alarmId, CancellationToken ct)
    {
        if (board.Get(alarmId) is { } standing)
        {
            return standing;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alarm = await db.Alarms.AsNoTracking().SingleOrDefaultAsync(a => a.Id == alarmId, ct);
        return alarm?.ToView();
    }

    internal static string Target(long alarmId) => $"alarm:{alarmId}";

    /// <summary>Applies a transition to the alarm, with its event and audit entry, in the caller's unit of work.</summary>
    internal static void Record(CityOpsDbContext db, AuditLog audit, Alarm alarm, AlarmStatus next, string actor, string kind, string? reason, DateTime at)
    {
        var from = alarm.State;
        var before = alarm.ToView();
        alarm.Apply(next);
        db.AlarmEvents.Add(new AlarmEvent { AlarmId = alarm.Id, At = at, Actor = actor, FromState = from, ToState = alarm.State, Kind = kind, Reason = reason });
        audit.Add(db, actor, AuditCategory.Alarm, $"alarm.{kind}", Target(alarm.Id), new { before.State, before.ConditionActive },
            new { alarm.State, alarm.ConditionActive, alarm.ShelvedUntil }, reason);
    }

    private void Record(CityOpsDbContext db, Alarm alarm, AlarmStatus next, string actor, string kind, string? reason, DateTime at) =>
        Record(db, audit, alarm, next, actor, kind, reason, at);

    private async Task ChangeAsync(long alarmId, string user, string kind, string? reason, CancellationToken ct,
        Func<Alarm, DateTime, Transition> transition, Action<Alarm>? onAllowed = null)
    {
        using var _ = await writeGate.EnterAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var alarm = await db.Alarms.SingleOrDefaultAsync(a => a.Id == alarmId, ct) ?? throw NotFound(alarmId);
        var now = Now();
        var t = transition(alarm, now);
        if (!t.Allowed)
        {
            throw new AlarmOperationException(t.Rejection!);
        }
        Record(db, alarm, t.Status, user, kind, reason, now);
        onAllowed?.Invoke(alarm);
        await db.SaveChangesAsync(ct);
        board.Apply([alarm.ToView()]);
    }

    private static AlarmOperationException NotFound(long alarmId) => new($"There is no alarm {alarmId}.", notFound: true);

    private DateTime Now() => time.GetUtcNow().UtcDateTime;
}
