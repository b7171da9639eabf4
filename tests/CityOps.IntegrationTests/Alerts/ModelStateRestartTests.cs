using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Alerts;
using Microsoft.EntityFrameworkCore;
using static CityOps.IntegrationTests.Alerts.AlertsFixture;

namespace CityOps.IntegrationTests.Alerts;

/// <summary>What the models learned survives a restart: the engine resumes instead of starting blind.</summary>
public class ModelStateRestartTests(PostgresFixture pg)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Restart_ConditionActiveBeforeShutdown_StateRestoredAndClearRecognised()
    {
        var database = await pg.CreateDatabaseAsync();
        string rule;
        long alarmId;
        await using (var first = new AlertsFixture(pg))
        {
            await first.StartAsync(database, firstStart: true);
            rule = await first.AddHighLimitRuleAsync(PressTemp, 150);
            await first.IngestAsync((PressTemp, 175));
            alarmId = (await first.WaitForAlarmAsync(rule, a => a.State == AlarmState.ActiveUnacknowledged, "the raised alarm")).Id;
        }

        await using var second = new AlertsFixture(pg);
        await second.StartAsync(database, firstStart: false);

        var saved = await second.QueryAsync(db => db.ModelStates.AsNoTracking().Where(m => m.RuleKey == rule).ToListAsync(Ct));
        var state = Assert.Single(saved);
        Assert.Equal(PressTemp, state.SourceKey);
        var standing = second.Board.Get(alarmId);
        Assert.NotNull(standing);
        Assert.True(standing.ConditionActive);

        // Only a binding that knows its condition is active reports it gone: a blind restart would never clear this alarm.
        await second.IngestAsync((PressTemp, 120));

        var cleared = await second.WaitForAlarmAsync(rule, a => a.Id == alarmId && a.State == AlarmState.ReturnedUnacknowledged, "the clear after the restart");
        Assert.False(cleared.ConditionActive);
    }
}
