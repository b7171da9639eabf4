using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Ingest;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using NpgsqlTypes;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>
/// The backtest against the live engine: the application runs on a fake clock, so the test hands the engine committed
/// readings and moves time on exactly as the ingest writer and the wall clock would, and the same readings, stored in
/// PostgreSQL, are backtested.
/// </summary>
public sealed class BacktestTests(PostgresFixture pg) : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 20, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Clock = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(Start);
    private WebApplicationFactory<Program> _app = null!;
    private string _connectionString = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AlertEngineService Engine => _app.Services.GetRequiredService<AlertEngineService>();

    public async ValueTask InitializeAsync()
    {
        _connectionString = await pg.CreateDatabaseAsync();
        _app = new CityOpsAppFactory(_connectionString, new Dictionary<string, string?> { ["Alerts:ClockInterval"] = "00:00:10" })
            .WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            {
                s.RemoveAll<TimeProvider>();
                s.AddSingleton<TimeProvider>(_time);
            }));
        await _app.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create(), Ct);
        await Engine.Ready.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        await Engine.ReloadSensorsAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task RunAsync_SameReadingsAsTheLiveEngine_SameAlarmsAtTheSameTimes()
    {
        var rule = new AlertRuleDefinition("test.backtest.equal", "Press hot", new RuleScope(SensorKey: AlertsFixture.PressTemp),
            new LimitParameters { High = 150, Deadband = 2, OnDelay = TimeSpan.FromSeconds(5), OffDelay = TimeSpan.FromSeconds(6) },
            AlarmPriority.High, "Press hot", new Rationalisation("Overload", "Damage", "Reduce load", TimeSpan.FromMinutes(10)), []);
        await _app.Services.GetRequiredService<AlertRuleStore>().SaveAsync(rule, "admin@example.org", "test", Ct);
        var sensorId = SensorId(AlertsFixture.PressTemp);
        // One hour, a reading every 2 s: a long excursion; a short one the on-delay filters; a stretch of readings 20 s
        // apart where only the clock can raise and clear in time; a spell of cycling that the engine damps as
        // chattering; and a gap without readings.
        var series = Enumerable.Range(0, 1800).Select(i => i * 2)
            .Where(t => t is (< 1200 or >= 1400) and (< 2400 or >= 2700) || t % 20 == 0 && t is >= 1200 and < 1400)
            .Select(t => new CommittedReading(sensorId, Start.AddSeconds(t), t switch
            {
                >= 300 and < 600 => 160,
                >= 900 and < 904 => 160,
                >= 1200 and < 1260 => 160,
                >= 1500 and < 1800 => t / 10 % 2 == 0 ? 160 : 100,
                _ => 100 + t % 7,
            }))
            .ToList();
        await StoreAsync(series);

        // The live path: each clock interval's readings as the ingest writer commits them, then the clock ticks.
        for (var tick = Start + Clock; tick <= Start.AddHours(1); tick += Clock)
        {
            var batch = series.Where(r => r.Timestamp > tick - Clock && r.Timestamp <= tick).ToList();
            if (batch.Count > 0)
            {
                Engine.OnCommitted(batch);
            }
            _time.Advance(Clock);
            // Work on the engine's loop runs in order: once this returns, the batch and the tick are done.
            await Engine.ReloadRulesAsync(Ct);
        }
        var live = await TransitionsAsync(rule.Key);

        var report = await _app.Services.GetRequiredService<IRuleBacktester>().RunAsync(rule, Start, Start.AddHours(1).AddTicks(1), null, Ct);

        var backtested = report.Result.Alarms
            .SelectMany(a => a.ClearedAt is { } cleared
                ? new[] { (a.SourceKey, AlarmEventKinds.Raised, a.RaisedAt), (a.SourceKey, AlarmEventKinds.Cleared, cleared) }
                : [(a.SourceKey, AlarmEventKinds.Raised, a.RaisedAt)])
            .OrderBy(t => t.Item3).ToList();
        Assert.True(live.Count >= 8, $"the series should raise several alarms; the live engine made {live.Count} transitions");
        Assert.Equal(live, backtested);
        Assert.Contains(report.Result.Alarms, a => a.Chattering);
        Assert.DoesNotContain(report.Result.Alarms, a => a.RaisedAt >= Start.AddSeconds(900) && a.RaisedAt < Start.AddSeconds(1000));
        Assert.Contains(report.Result.Alarms, a => a.RaisedAt == Start.AddSeconds(1210) && a.ClearedAt == Start.AddSeconds(1270));
        Assert.Equal(series.Count, report.Result.Readings);
        Assert.Equal(report.Result.Proposed, report.Result.Current);
        var trend = Assert.Single(report.Trends);
        Assert.Equal((AlertsFixture.PressTemp, "°C"), (trend.SensorKey, trend.Unit));
        Assert.Equal(160, trend.Points.Max(p => p.Max));
        Assert.Equal(100, trend.Points.Min(p => p.Min));
    }

    [Fact]
    public async Task RunAsync_ThreeDaysOfSeconds_ReportsRisingProgressEndingAtOne()
    {
        var from = Start.AddDays(-5);
        var sensorId = SensorId(AlertsFixture.Speed);
        await StoreAsync(Enumerable.Range(0, 3 * 86400).Select(i => new CommittedReading(sensorId, from.AddSeconds(i), i % 86400 == 3600 ? 200 : 50)).ToList());
        var rule = new AlertRuleDefinition("test.backtest.progress", "Speeding", new RuleScope(SensorKey: AlertsFixture.Speed),
            new LimitParameters { High = 120 }, AlarmPriority.Low, "Fast", new Rationalisation("c", "c", "a", TimeSpan.FromMinutes(5)), []);
        var reports = new List<BacktestProgress>();

        var report = await _app.Services.GetRequiredService<IRuleBacktester>().RunAsync(rule, from, from.AddDays(3), new SynchronousProgress(reports.Add), Ct);

        Assert.Equal(3 * 86400, report.Result.Readings);
        Assert.Equal(3, report.Result.Proposed.Alarms);
        Assert.Null(report.Result.Current);
        Assert.True(reports.Count >= 4, $"only {reports.Count} progress reports");
        Assert.Equal(reports.Select(r => r.Fraction).Order(), reports.Select(r => r.Fraction));
        Assert.Contains(reports, r => r.Fraction is > 0.2 and < 0.8);
        Assert.Equal(new BacktestProgress(1, 3 * 86400, 3), reports[^1]);
    }

    [Fact]
    public async Task RunAsync_CancelledWhileReading_StopsWithoutResult()
    {
        var from = Start.AddDays(-10);
        var sensorId = SensorId(AlertsFixture.Occupancy);
        await StoreAsync(Enumerable.Range(0, 2 * 86400).Select(i => new CommittedReading(sensorId, from.AddSeconds(i), 40)).ToList());
        var rule = new AlertRuleDefinition("test.backtest.cancel", "Busy", new RuleScope(SensorKey: AlertsFixture.Occupancy),
            new LimitParameters { High = 90 }, AlarmPriority.Low, "Busy", new Rationalisation("c", "c", "a", TimeSpan.FromMinutes(5)), []);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = new List<BacktestProgress>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _app.Services.GetRequiredService<IRuleBacktester>().RunAsync(rule, from, from.AddDays(2), new SynchronousProgress(p =>
            {
                reports.Add(p);
                cts.Cancel();
            }), cts.Token));

        Assert.NotEmpty(reports);
        Assert.True(reports[^1].Fraction < 1, "the backtest ran to the end despite the cancellation");
    }

    [Fact]
    public async Task Raise_AfterTheRuleWasSavedAgain_AlarmRecordsTheNewVersion()
    {
        var store = _app.Services.GetRequiredService<AlertRuleStore>();
        var rule = new AlertRuleDefinition("test.backtest.version", "Crowded", new RuleScope(SensorKey: AlertsFixture.Occupancy),
            new LimitParameters { High = 80 }, AlarmPriority.Low, "Crowded", new Rationalisation("c", "c", "a", TimeSpan.FromMinutes(5)), []);
        var sensorId = SensorId(AlertsFixture.Occupancy);
        var now = _time.GetUtcNow().UtcDateTime;
        Assert.Equal(1, await store.SaveAsync(rule, "admin@example.org", null, Ct));
        Engine.OnCommitted([new CommittedReading(sensorId, now.AddSeconds(1), 95)]);
        Engine.OnCommitted([new CommittedReading(sensorId, now.AddSeconds(2), 40)]);
        await Engine.ReloadRulesAsync(Ct);
        // Acknowledged after it cleared, the first alarm is history, so the next condition raises a new alarm.
        var first = await FirstAlarmIdAsync(rule.Key);
        Assert.Equal(1, await _app.Services.GetRequiredService<AlarmOperations>().AcknowledgeAsync([first], "op", null, Ct));

        Assert.Equal(2, await store.SaveAsync(rule with { Model = new LimitParameters { High = 70 } }, "admin@example.org", "lower", Ct));
        Engine.OnCommitted([new CommittedReading(sensorId, now.AddSeconds(3), 75)]);
        await Engine.ReloadRulesAsync(Ct);

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        var versions = await db.Alarms.AsNoTracking().Where(a => a.RuleKey == rule.Key).OrderBy(a => a.RaisedAt).Select(a => a.RuleVersion).ToListAsync(Ct);
        Assert.Equal([1, 2], versions);
    }

    [Fact]
    public async Task Raise_StandingAlarmRaisedAgainAfterASave_AlarmRecordsTheVersionRaisingItNow()
    {
        var store = _app.Services.GetRequiredService<AlertRuleStore>();
        var rule = new AlertRuleDefinition("test.backtest.reraise", "Crowded again", new RuleScope(SensorKey: AlertsFixture.Occupancy),
            new LimitParameters { High = 80 }, AlarmPriority.Low, "Crowded", new Rationalisation("c", "c", "a", TimeSpan.FromMinutes(5)), []);
        var sensorId = SensorId(AlertsFixture.Occupancy);
        var now = _time.GetUtcNow().UtcDateTime;
        Assert.Equal(1, await store.SaveAsync(rule, "admin@example.org", null, Ct));
        Engine.OnCommitted([new CommittedReading(sensorId, now.AddSeconds(10), 95)]);
        Engine.OnCommitted([new CommittedReading(sensorId, now.AddSeconds(11), 40)]);
        await Engine.ReloadRulesAsync(Ct);
        // Cleared but not acknowledged, the alarm still stands; a new version's message changes, its model does not.
        Assert.Equal(2, await store.SaveAsync(rule with { Message = "Crowded: open the second gate" }, "admin@example.org", "clearer message", Ct));
        Engine.OnCommitted([new CommittedReading(sensorId, now.AddSeconds(12), 96)]);
        await Engine.ReloadRulesAsync(Ct);

        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        var alarms = await db.Alarms.AsNoTracking().Where(a => a.RuleKey == rule.Key).ToListAsync(Ct);
        var alarm = Assert.Single(alarms);
        Assert.Equal(AlarmState.ActiveUnacknowledged, alarm.State);
        Assert.Equal(2, alarm.RuleVersion);
    }

    private async Task<long> FirstAlarmIdAsync(string ruleKey)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        return await db.Alarms.AsNoTracking().Where(a => a.RuleKey == ruleKey).OrderBy(a => a.Id).Select(a => a.Id).FirstAsync(Ct);
    }

    private int SensorId(string key) =>
        _app.Services.GetRequiredService<SensorCatalog>().TryGet(key, out var sensor) ? sensor.Id : throw new InvalidOperationException($"No sensor {key}.");

    private async Task StoreAsync(IReadOnlyList<CommittedReading> readings)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await _app.Services.GetRequiredService<ReadingsPartitions>().EnsureAsync(connection, readings.Min(r => r.Timestamp), readings.Max(r => r.Timestamp), Ct);
        await using var copy = await connection.BeginBinaryImportAsync("COPY readings (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)", Ct);
        foreach (var r in readings)
        {
            await copy.StartRowAsync(Ct);
            await copy.WriteAsync(r.SensorId, NpgsqlDbType.Integer, Ct);
            await copy.WriteAsync(r.Timestamp, NpgsqlDbType.TimestampTz, Ct);
            await copy.WriteAsync(r.Value, NpgsqlDbType.Double, Ct);
        }
        await copy.CompleteAsync(Ct);
    }

    /// <summary>The rule's raises and clears as the live engine recorded them (alarm events), in time order.</summary>
    private async Task<List<(string Source, string Kind, DateTime At)>> TransitionsAsync(string ruleKey)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        var events = await (from e in db.AlarmEvents.AsNoTracking()
                            join a in db.Alarms.AsNoTracking() on e.AlarmId equals a.Id
                            where a.RuleKey == ruleKey && (e.Kind == AlarmEventKinds.Raised || e.Kind == AlarmEventKinds.Cleared)
                            select new { a.SourceKey, e.Kind, e.At }).ToListAsync(Ct);
        return [.. events.Select(e => (e.SourceKey, e.Kind, e.At)).OrderBy(e => e.At)];
    }

    private sealed class SynchronousProgress(Action<BacktestProgress> report) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value) => report(value);
    }
}
