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
        services.GetRequiredService<IAlarmRaisedHandler>().OnRaised(alarm);
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
}
