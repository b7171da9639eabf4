using System.Net;
using System.Net.Http.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Audit;
using CityOps.Web.Features.Audit;
using Microsoft.Extensions.DependencyInjection;
using static CityOps.IntegrationTests.Administration.AdminTestKit;

namespace CityOps.IntegrationTests.Administration;

/// <summary>Reading the audit log as administrators do: filters, keyset pages, the CSV export, and who may.</summary>
public sealed class AuditAdministrationTests(PostgresFixture pg) : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);
    private CityOpsAppFactory _app = null!;

    public async ValueTask InitializeAsync()
    {
        _app = App(await pg.CreateDatabaseAsync());
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        // 30 entries an hour apart, in a recognisable pattern (the app's own start-up may add entries of its own).
        for (var i = 0; i < 30; i++)
        {
            db.AuditLog.Add(new AuditEntry
            {
                At = T0.AddHours(i),
                Actor = i % 3 == 0 ? "ann@example.org" : "bob@example.org",
                Category = i % 2 == 0 ? AuditCategory.Alarm : AuditCategory.ControlAction,
                Action = i % 2 == 0 ? "alarm.acknowledged" : "command.requested",
                Target = $"itest:{i:00}",
                Before = """{"state":"ActiveUnacknowledged"}""",
                After = """{"state":"ActiveAcknowledged"}""",
                Reason = i == 7 ? "=HYPERLINK(\"http://evil\")" : null,
            });
        }
        await db.SaveChangesAsync(Ct);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task SearchAsync_EveryFilter_NarrowsToMatchingEntriesNewestFirst()
    {
        var audit = _app.Services.GetRequiredService<AuditQueries>();

        var page = await audit.SearchAsync(Admin(), new AuditFilter(
            From: T0.AddHours(6), To: T0.AddHours(24), Actor: "ANN@", Category: AuditCategory.Alarm, Action: "acknowledged", Target: "itest:"), null, 100, Ct);

        // Ann has i = 0, 3, 6, …; alarms are even i; within [6, 24): 6, 12, 18.
        Assert.Equal(["itest:18", "itest:12", "itest:06"], page.Entries.Select(e => e.Target));
        Assert.Null(page.NextBefore);
    }

    [Fact]
    public async Task SearchAsync_TextWithLikeWildcards_MatchesLiterally()
    {
        var audit = _app.Services.GetRequiredService<AuditQueries>();

        var page = await audit.SearchAsync(Admin(), new AuditFilter(Target: "itest:_1"), null, 100, Ct);

        Assert.Empty(page.Entries);
    }

    [Fact]
    public async Task SearchAsync_KeysetPages_CoverEveryEntryOnceNewestFirst()
    {
        var audit = _app.Services.GetRequiredService<AuditQueries>();
        var filter = new AuditFilter(Target: "itest:");
        var seen = new List<string>();
        long? before = null;
        var pages = 0;
        do
        {
            var page = await audit.SearchAsync(Admin(), filter, before, 7, Ct);
            seen.AddRange(page.Entries.Select(e => e.Target));
            before = page.NextBefore;
            pages++;
        }
        while (before is not null);

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => $"itest:{i:00}"), seen);
    }

    [Fact]
    public async Task SearchAsync_NotAnAdministrator_IsRefused()
    {
        var audit = _app.Services.GetRequiredService<AuditQueries>();

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            audit.SearchAsync(User("op@example.org", Roles.Operator), AuditFilter.None, null, 10, Ct));
    }

    [Fact]
    public async Task ExportCsv_Administrator_StreamsTheWholeFilteredSetWithFormulasDefused()
    {
        var client = await SignedInClientAsync(_app);

        var response = await client.GetAsync("/api/v1/admin/audit/export.csv?actor=bob&target=itest:", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,at,actor,category,action,target,before,after,reason", lines[0]);
        // Bob has every i not divisible by 3: 20 of 30.
        Assert.Equal(20, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains(",bob@example.org,", l));
        Assert.Contains(",itest:29,", lines[1]);
        Assert.Contains("\"{\"\"state\"\": \"\"ActiveUnacknowledged\"\"}\"", lines[1]);
        var formula = Assert.Single(lines, l => l.Contains(",itest:07,"));
        Assert.EndsWith("\"'=HYPERLINK(\"\"http://evil\"\")\"", formula);
    }

    [Fact]
    public async Task GetAudit_ApiWithFilters_ReturnsPageAndCursor()
    {
        var client = await SignedInClientAsync(_app);

        var page = await client.GetFromJsonAsync<AuditPageView>("/api/v1/admin/audit?target=itest:&category=ControlAction&pageSize=10", Ct);

        Assert.NotNull(page);
        Assert.Equal(10, page.Entries.Count);
        Assert.All(page.Entries, e => Assert.Equal(AuditCategory.ControlAction, e.Category));
        Assert.Equal("itest:29", page.Entries[0].Target);
        Assert.Equal(page.Entries[^1].Id, page.NextBefore);
    }

    [Fact]
    public async Task ExportCsv_Operator_IsForbidden()
    {
        await AccountClient.CreateUserAsync(_app.Services, "op@example.org", "Operator-pass-42", Roles.Operator);
        var client = await SignedInClientAsync(_app, "op@example.org", "Operator-pass-42");

        var export = await client.GetAsync("/api/v1/admin/audit/export.csv", Ct);
        var search = await client.GetAsync("/api/v1/admin/audit", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, export.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, search.StatusCode);
    }
}
