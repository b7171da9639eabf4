using System.Security.Claims;
using CityOps.Analytics;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Administration.Rules;
using CityOps.Web.Features.Alerts;

namespace CityOps.Web.Tests.Administration.Rules;

/// <summary>The rule pages' backend over an in-memory rule set, recording what the pages ask of it.</summary>
internal sealed class FakeRulePagesBackend : IRulePagesBackend
{
    private readonly Dictionary<string, RuleDetail> _rules = new(StringComparer.Ordinal);

    public List<(string Key, int Version, string? Note, string User)> Restores { get; } = [];
    public List<(AlertRuleDefinition Definition, string? Note)> Saves { get; } = [];
    public List<(string Json, bool DryRun)> Imports { get; } = [];
    public Func<string, bool, RuleImportReport> ImportReport { get; set; } = (_, dryRun) => new RuleImportReport(dryRun, []);

    public static readonly DateTime Saved = new(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);

    public void Add(AlertRuleDefinition definition, params AlertRuleDefinition[] olderVersions)
    {
        var versions = olderVersions.Append(definition)
            .Select((d, i) => new AdminRuleVersionView(i + 1, "admin@cityops.local", Saved.AddHours(i), $"Change {i + 1}", d))
            .Reverse().ToList();
        _rules[definition.Key] = new RuleDetail(definition, definition.Enabled, versions.Count, versions);
    }

    public Task<IReadOnlyList<RuleRow>> ListAsync(ClaimsPrincipal user, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<RuleRow>>([.. _rules.Values.OrderBy(r => r.Definition.Key)
            .Select(r => new RuleRow(r.Definition, r.Enabled, r.Version, r.Versions[0].SavedBy, r.Versions[0].SavedAt))]);

    public Task<RuleDetail?> GetAsync(ClaimsPrincipal user, string key, CancellationToken ct) =>
        Task.FromResult(_rules.GetValueOrDefault(key));

    public Task<int> SaveAsync(ClaimsPrincipal user, AlertRuleDefinition definition, string? changeNote, CancellationToken ct)
    {
        Saves.Add((definition, changeNote));
        return Task.FromResult(Append(definition.Key, definition, changeNote, user));
    }

    public Task<int> RestoreAsync(ClaimsPrincipal user, string key, int version, string? changeNote, CancellationToken ct)
    {
        Restores.Add((key, version, changeNote, user.Identity!.Name!));
        var old = _rules[key].Versions.Single(v => v.Version == version);
        return Task.FromResult(Append(key, old.Definition, $"Restored version {version}: {changeNote}", user));
    }

    public Task<RuleImportReport> ImportAsync(ClaimsPrincipal user, string json, bool dryRun, CancellationToken ct)
    {
        Imports.Add((json, dryRun));
        return Task.FromResult(ImportReport(json, dryRun));
    }

    public List<(IReadOnlyCollection<string> Keys, bool Enabled)> EnableChanges { get; } = [];
    public List<(string Key, string? Reason)> Deletes { get; } = [];
    public List<(string Key, string NewKey)> Clones { get; } = [];
    public List<IReadOnlyCollection<string>?> Exports { get; } = [];

    public Task<int> SetEnabledAsync(ClaimsPrincipal user, IReadOnlyCollection<string> keys, bool enabled, CancellationToken ct)
    {
        EnableChanges.Add((keys, enabled));
        var changed = keys.Where(k => _rules[k].Enabled != enabled).ToList();
        foreach (var key in changed)
        {
            Append(key, _rules[key].Definition with { Enabled = enabled }, enabled ? "Enabled" : "Disabled", user);
        }
        return Task.FromResult(changed.Count);
    }

    public Task DeleteAsync(ClaimsPrincipal user, string key, string? reason, CancellationToken ct)
    {
        Deletes.Add((key, reason));
        _rules.Remove(key);
        return Task.CompletedTask;
    }

    public Task CloneAsync(ClaimsPrincipal user, string key, string newKey, CancellationToken ct)
    {
        Clones.Add((key, newKey));
        Append(newKey, _rules[key].Definition with { Key = newKey, Enabled = false }, $"Cloned from {key}", user);
        return Task.CompletedTask;
    }

    public Task<string> ExportAsync(ClaimsPrincipal user, IReadOnlyCollection<string>? keys, CancellationToken ct)
    {
        Exports.Add(keys);
        return Task.FromResult($"{{\"rules\": {keys?.Count ?? _rules.Count}}}");
    }

    private int Append(string key, AlertRuleDefinition definition, string? note, ClaimsPrincipal user)
    {
        var versions = _rules.TryGetValue(key, out var rule) ? rule.Versions : [];
        var version = versions.Count + 1;
        _rules[key] = new RuleDetail(definition, definition.Enabled, version,
            [new AdminRuleVersionView(version, user.Identity!.Name!, Saved.AddDays(1), note, definition), .. versions]);
        return version;
    }

    public static AlertRuleDefinition LimitRule(string key = "plant.motor_temp.high", double high = 80, double? low = null, double deadband = 1) =>
        new(key, "Motor temperature high", new RuleScope(Metric: MetricKind.Temperature),
            new LimitParameters { High = high, Low = low, Deadband = deadband, OnDelay = TimeSpan.FromSeconds(30) },
            AlarmPriority.High, "Motor temperature is high",
            new Rationalisation("Cooling fails or the motor is overloaded", "The winding insulation ages or fails", "Reduce the line speed", TimeSpan.FromMinutes(15)),
            ["line.reduce_speed"]);
}

/// <summary>A backtest that reports 40 % and then runs until it is cancelled.</summary>
internal sealed class BlockingBacktester : IRuleBacktester
{
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource<bool> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<BacktestReport> RunAsync(AlertRuleDefinition definition, DateTime from, DateTime to,
        IProgress<BacktestProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new BacktestProgress(0.4, 12_000, 3));
        Started.SetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        finally
        {
            Ended.SetResult(cancellationToken.IsCancellationRequested);
        }
        throw new InvalidOperationException("A delay that never ends ended.");
    }
}

/// <summary>A backtest that answers a fixed report at once and remembers what it was asked.</summary>
internal sealed class FixedBacktester(BacktestReport report) : IRuleBacktester
{
    public List<(AlertRuleDefinition Definition, DateTime From, DateTime To)> Runs { get; } = [];

    public Task<BacktestReport> RunAsync(AlertRuleDefinition definition, DateTime from, DateTime to,
        IProgress<BacktestProgress>? progress, CancellationToken cancellationToken)
    {
        Runs.Add((definition, from, to));
        progress?.Report(new BacktestProgress(1, 100, report.Result.Alarms.Count));
        return Task.FromResult(report);
    }
}

/// <summary>Services are fixed once the first component renders; this lets each test choose its backtester afterwards.</summary>
internal sealed class BacktesterSlot : IRuleBacktester
{
    public IRuleBacktester Inner { get; set; } = new BlockingBacktester();

    public Task<BacktestReport> RunAsync(AlertRuleDefinition definition, DateTime from, DateTime to,
        IProgress<BacktestProgress>? progress, CancellationToken cancellationToken) =>
        Inner.RunAsync(definition, from, to, progress, cancellationToken);
}
