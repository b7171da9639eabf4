using System.Security.Claims;
using Bunit;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Audit;
using CityOps.Web.Features.Audit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Administration;

public sealed class AuditLogPageTests : BunitContext
{
    private readonly FakeAuditReader _reader = new();

    public AuditLogPageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IAuditReader>(_reader);
        AddAuthorization().SetAuthorized("chief@example.org").SetRoles(Roles.Administrator);
        Render<MudPopoverProvider>();
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<AuditLogPage> RenderAt(string relativeUrl)
    {
        Navigation.NavigateTo(relativeUrl);
        return Render<AuditLogPage>();
    }

    private static AuditEntry Entry(long id, string action, string? before, string? after) => new()
    {
        Id = id, At = new DateTime(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc).AddMinutes(id), Actor = "ann@example.org",
        Category = AuditCategory.Administration, Action = action, Target = $"settings:{id}", Before = before, After = after,
    };

    [Fact]
    public void Render_FiltersInTheUrl_AreQueriedShownAndCarriedIntoTheExportLink()
    {
        var cut = RenderAt("admin/audit?actor=ann&category=Alarm&target=alarm%3A42&from=2026-11-27T05:00:00.0000000Z");

        var (user, filter, before) = Assert.Single(_reader.Calls);
        Assert.Equal("chief@example.org", user.Identity?.Name);
        Assert.Equal(new AuditFilter(new DateTime(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc), null, "ann", AuditCategory.Alarm, null, "alarm:42"), filter);
        Assert.Null(before);
        Assert.Equal("ann", cut.Find("input[data-testid='audit-actor']").GetAttribute("value"));
        Assert.Equal("2026-11-27T05:00", cut.Find("input[data-testid='audit-from']").GetAttribute("value"));
        var export = cut.Find("a[data-testid='audit-export']").GetAttribute("href");
        Assert.StartsWith("/api/v1/admin/audit/export.csv?", export);
        Assert.Contains("actor=ann", export);
        Assert.Contains("category=Alarm", export);
        Assert.Contains("target=alarm%3A42", export);
    }

    [Fact]
    public void ClickRow_EntryWithBeforeAndAfter_ShowsThemSideBySideWithChangesHighlighted()
    {
        _reader.Entries = [Entry(2, "settings.saved", """{"rawDays":30,"minuteRollupDays":365}""", """{"rawDays":14,"minuteRollupDays":365}""")];
        var cut = RenderAt("admin/audit");
        Assert.Empty(cut.FindAll("[data-testid='audit-detail-2']"));

        cut.FindAll("[data-testid='audit-table'] tbody tr")[0].Click();

        var rows = cut.FindAll("[data-testid='audit-detail-2'] tbody tr");
        Assert.Equal(2, rows.Count);
        var raw = rows.Single(r => r.TextContent.Contains("rawDays"));
        Assert.Equal("true", raw.GetAttribute("data-changed"));
        Assert.Equal(["rawDays", "30", "14"], raw.QuerySelectorAll("td").Select(td => td.TextContent.Trim()));
        Assert.Equal("false", rows.Single(r => r.TextContent.Contains("minuteRollupDays")).GetAttribute("data-changed"));
    }

    [Fact]
    public void Apply_TypedFilters_PutThemInTheUrlAndStartFromTheNewest()
    {
        var cut = RenderAt("admin/audit?before=77");

        cut.Find("input[data-testid='audit-action']").Change("command.");
        cut.Find("input[data-testid='audit-target']").Change("actuator:plant1");
        cut.Find("form[data-testid='audit-filters']").Submit();

        var uri = new Uri(Navigation.Uri);
        Assert.Equal("/admin/audit", uri.AbsolutePath);
        Assert.Contains("action=command.", uri.Query);
        Assert.Contains("target=actuator%3Aplant1", uri.Query);
        Assert.DoesNotContain("before=", uri.Query);
    }

    [Fact]
    public void Older_MorePages_MovesTheCursorInTheUrl()
    {
        _reader.Entries = [Entry(9, "rule.saved", null, "{}"), Entry(8, "rule.saved", null, "{}")];
        _reader.NextBefore = 8;
        var cut = RenderAt("admin/audit?actor=ann");

        cut.Find("[data-testid='audit-older']").Click();

        Assert.Contains("before=8", Navigation.Uri);
        Assert.Contains("actor=ann", Navigation.Uri);
    }

    [Fact]
    public void Render_LastPage_DisablesOlder()
    {
        var cut = RenderAt("admin/audit");

        Assert.True(cut.Find("[data-testid='audit-older']").HasAttribute("disabled"));
        Assert.NotNull(cut.Find("[data-testid='audit-empty']"));
    }

    [Fact]
    public void Render_ReaderRefuses_ShowsWhy()
    {
        _reader.Failure = new UnauthorizedAccessException("Only administrators may change the configuration.");

        var cut = RenderAt("admin/audit");

        Assert.Equal("Only administrators may change the configuration.", cut.Find("[data-testid='audit-error']").TextContent.Trim());
    }

    private sealed class FakeAuditReader : IAuditReader
    {
        public List<(ClaimsPrincipal User, AuditFilter Filter, long? Before)> Calls { get; } = [];
        public IReadOnlyList<AuditEntry> Entries { get; set; } = [];
        public long? NextBefore { get; set; }
        public Exception? Failure { get; set; }

        public Task<AuditPage> SearchAsync(ClaimsPrincipal user, AuditFilter filter, long? before, int pageSize, CancellationToken cancellationToken)
        {
            Calls.Add((user, filter, before));
            return Failure is null ? Task.FromResult(new AuditPage(Entries, NextBefore)) : Task.FromException<AuditPage>(Failure);
        }
    }
}
