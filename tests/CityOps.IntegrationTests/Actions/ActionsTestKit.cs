using Npgsql;
using CityOps.Web.Features.Audit;
using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Actions;

internal static class ActionsTestKit
{
    public static AlarmView Alarm(long id, string assetKey, string sensorKey, AlarmPriority priority) => new(
        id, "test.rule", 1, "Test rule", priority, AlarmState.ActiveUnacknowledged, true, assetKey.Split('.')[0], "area", assetKey,
        sensorKey, sensorKey, "test alarm", null, 1, null, 0.9, DateTime.UtcNow, null, null, null, null, false, null);

    /// <summary>Raises the alarm through the alert engine's hand-off and waits for the worker to store a suggestion of the playbook.</summary>
    public static async Task<SuggestionView> RaiseAndWaitAsync(IServiceProvider services, AlarmView alarm, string playbook)
    {
        services.GetRequiredService<SuggestionQueue>().OnRaised(alarm);
        var suggestions = services.GetRequiredService<SuggestionService>();
        SuggestionView? found = null;
        await Infrastructure.Wait.UntilAsync(async () =>
        {
            found = (await suggestions.ForAlarmAsync(alarm.Id, TestContext.Current.CancellationToken)).FirstOrDefault(v => v.Suggestion.PlaybookKey == playbook);
            return found is not null;
        }, TimeSpan.FromSeconds(60), $"a {playbook} suggestion for alarm {alarm.Id}");
        return found!;
    }

    public static async Task<Command> WaitForCommandAsync(IServiceProvider services, long id, Func<Command, bool> condition, string what, TimeSpan? timeout = null)
    {
        var factory = services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
        Command? command = null;
        await Infrastructure.Wait.UntilAsync(async () =>
        {
            await using var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
            command = await db.Commands.AsNoTracking().SingleAsync(c => c.Id == id, TestContext.Current.CancellationToken);
            return condition(command);
        }, timeout ?? TimeSpan.FromSeconds(30), what);
        return command!;
    }

    public static async Task<List<string>> AuditActionsAsync(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
        await using var db = await factory.CreateDbContextAsync(TestContext.Current.CancellationToken);
        // Only the control-action trail: demo mode also audits the rules it seeds.
        return await db.AuditLog.AsNoTracking().Where(e => e.Category == AuditCategory.ControlAction).OrderBy(e => e.Id).Select(e => e.Action)
            .ToListAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The predicted value at <paramref name="at"/>, linear between the prediction's points and held at its ends.</summary>
    public static double Interpolate(PredictedRun run, DateTime at)
    {
        var t = (at - DateTime.UnixEpoch).TotalSeconds;
        var i = Array.FindIndex(run.Times, x => x >= t);
        if (i < 0)
        {
            return run.Values[^1];
        }
        if (i == 0)
        {
            return run.Values[0];
        }
        var f = (t - run.Times[i - 1]) / (run.Times[i] - run.Times[i - 1]);
        return run.Values[i - 1] + f * (run.Values[i] - run.Values[i - 1]);
    }

    /// <summary>The stored readings of a sensor after a time, oldest first.</summary>
    public static async Task<List<(DateTime Ts, double Value)>> ReadingsAsync(string connectionString, string sensorKey, DateTime after)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(
            "SELECT r.ts, r.value FROM readings r JOIN sensors s ON s.id = r.sensor_id WHERE s.key = $1 AND r.ts > $2 ORDER BY r.ts", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = sensorKey });
        cmd.Parameters.Add(new NpgsqlParameter { Value = after });
        var result = new List<(DateTime, double)>();
        await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            result.Add((DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc), reader.GetDouble(1)));
        }
        return result;
    }
}
