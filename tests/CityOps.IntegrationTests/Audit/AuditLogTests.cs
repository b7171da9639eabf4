using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.IntegrationTests.Audit;

public sealed class AuditLogTests(PostgresFixture pg)
{
    [Fact]
    public async Task Add_EntryWithBeforeAndAfter_IsStoredAsJson()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();

        audit.Add(db, "admin@cityops.local", AuditCategory.Administration, "rule.saved", "rule:plant.motor_temp.high",
            before: new { High = 85 }, after: new { High = 90 }, reason: "new motor");
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        var stored = await db.AuditLog.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("rule.saved", stored.Action);
        Assert.Equal("""{"high": 85}""", stored.Before);
        Assert.Equal("""{"high": 90}""", stored.After);
        Assert.Equal("new motor", stored.Reason);
    }

    [Theory]
    [InlineData("UPDATE audit_log SET actor = 'someone else'")]
    [InlineData("DELETE FROM audit_log")]
    [InlineData("TRUNCATE audit_log")]
    public async Task ChangeHistory_AnyUpdateOrDelete_IsRefusedByTheDatabase(string sql)
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        scope.ServiceProvider.GetRequiredService<AuditLog>()
            .Add(db, "operator@cityops.local", AuditCategory.Alarm, "alarm.acknowledged", "alarm:1");
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlRawAsync(sql, TestContext.Current.CancellationToken));

        Assert.Contains("append-only", error.MessageText);
        Assert.Equal(1, await db.AuditLog.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SaveChanges_ModifiedEntry_IsRefusedAndHistoryKept()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        var entry = scope.ServiceProvider.GetRequiredService<AuditLog>()
            .Add(db, "admin@cityops.local", AuditCategory.Administration, "rule.saved", "rule:x", after: new { High = 90 });
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        entry.Actor = "someone else";
        entry.After = """{"high": 1}""";
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));

        Assert.Contains("append-only", Assert.IsType<PostgresException>(error.InnerException).MessageText);
        var stored = await db.AuditLog.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal("admin@cityops.local", stored.Actor);
        Assert.Equal("""{"high": 90}""", stored.After);
    }

    [Fact]
    public async Task SaveChanges_RemovedEntry_IsRefusedAndHistoryKept()
    {
        await using var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        var entry = scope.ServiceProvider.GetRequiredService<AuditLog>()
            .Add(db, "operator@cityops.local", AuditCategory.Alarm, "alarm.acknowledged", "alarm:1");
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        db.AuditLog.Remove(entry);
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        var bulk = await Assert.ThrowsAsync<PostgresException>(() => db.AuditLog.ExecuteDeleteAsync(TestContext.Current.CancellationToken));

        Assert.Contains("append-only", Assert.IsType<PostgresException>(error.InnerException).MessageText);
        Assert.Contains("append-only", bulk.MessageText);
        Assert.Equal(1, await db.AuditLog.AsNoTracking().CountAsync(TestContext.Current.CancellationToken));
    }
}
