namespace CityOps.Web.Features.Alerts;

/// <summary>
/// The standing alarms (every alarm not in <see cref="AlarmState.Normal"/>) in memory, kept current by the alert
/// engine and by operator actions, with throttled subscriptions for screens. Singleton.
/// </summary>
public sealed class AlarmBoard
{
    /// <summary>Standing alarms, highest priority first, then newest first.</summary>
    public IReadOnlyList<AlarmView> Standing() => throw new NotImplementedException();

    public AlarmView? Get(long id) => throw new NotImplementedException();

    /// <summary>Standing alarms of one asset or any of its descendants / of one sensor.</summary>
    public IReadOnlyList<AlarmView> ForAsset(string assetKey) => throw new NotImplementedException();

    public IReadOnlyList<AlarmView> ForSensor(string sensorKey) => throw new NotImplementedException();

    public IReadOnlyList<AreaFloodStatus> Floods() => throw new NotImplementedException();

    /// <summary>Calls <paramref name="callback"/> (coalesced, at most every LiveOptions throttle) when any standing alarm changes; dispose to stop.</summary>
    public IDisposable Subscribe(Func<Task> callback) => throw new NotImplementedException();
}

/// <summary>What operators do to alarms. Every call records who, when and why (alarm events and the audit log).</summary>
public sealed class AlarmOperations
{
    /// <summary>Acknowledges the given alarms; alarms that cannot be acknowledged in their state are skipped. Returns how many changed.</summary>
    public Task<int> AcknowledgeAsync(IReadOnlyCollection<long> alarmIds, string user, string? comment, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Shelves for <paramref name="duration"/> (at most the configured maximum) with a required reason.</summary>
    public Task ShelveAsync(long alarmId, TimeSpan duration, string reason, string user, CancellationToken ct) => throw new NotImplementedException();

    public Task UnshelveAsync(long alarmId, string user, CancellationToken ct) => throw new NotImplementedException();

    public Task SetOutOfServiceAsync(long alarmId, bool outOfService, string reason, string user, CancellationToken ct) => throw new NotImplementedException();

    public Task CommentAsync(long alarmId, string text, string user, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Every transition and comment of the alarm, oldest first.</summary>
    public Task<IReadOnlyList<AlarmEventView>> HistoryAsync(long alarmId, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Any alarm (standing or history) by id.</summary>
    public Task<AlarmView?> FindAsync(long alarmId, CancellationToken ct) => throw new NotImplementedException();
}
