using CityOps.Web.Features.Administration.Audit;
using CityOps.Web.Features.Audit;

namespace CityOps.Tests.Administration;

public sealed class AuditDiffTests
{
    [Fact]
    public void Compare_NestedObjects_LinesUpFieldsAndMarksOnlyTheChangedOnes()
    {
        var fields = AuditDiff.Compare(
            """{"state":"ActiveUnacknowledged","email":{"port":587,"to":["a@x.org"]}}""",
            """{"state":"ActiveAcknowledged","email":{"port":587,"to":["a@x.org","b@x.org"]},"shelvedUntil":null}""");

        Assert.Equal(["state", "email.port", "email.to[0]", "email.to[1]", "shelvedUntil"], fields.Select(f => f.Path));
        Assert.Equal([true, false, false, true, true], fields.Select(f => f.Changed));
        Assert.Equal(("ActiveUnacknowledged", "ActiveAcknowledged"), (fields[0].Before, fields[0].After));
        Assert.Null(fields[3].Before);
        Assert.Equal("null", fields[4].After);
    }

    [Fact]
    public void Compare_OnlyAfter_ShowsEveryFieldAsAdded()
    {
        var fields = AuditDiff.Compare(null, """{"id":7,"value":40.5}""");

        Assert.All(fields, f => Assert.True(f.Changed && f.Before is null));
        Assert.Equal(["7", "40.5"], fields.Select(f => f.After));
    }

    [Fact]
    public void Compare_NoState_IsEmpty() => Assert.Empty(AuditDiff.Compare(null, null));
}

public sealed class AuditFilterTests
{
    [Fact]
    public void ToQuery_ThenFromQuery_GivesTheSameFilter()
    {
        var filter = new AuditFilter(new DateTime(2026, 11, 1, 6, 30, 0, DateTimeKind.Utc), new DateTime(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc),
            "ann", AuditCategory.ControlAction, "command.", "actuator:plant1");

        var back = AuditFilter.FromQuery(filter.ToQuery());

        Assert.Equal(filter, back);
        Assert.Equal(DateTimeKind.Utc, back.From!.Value.Kind);
    }

    [Fact]
    public void FromUri_BadValues_AreIgnoredNotFatal()
    {
        var filter = AuditFilter.FromUri("http://x/admin/audit?from=yesterday&category=Nonsense&actor=%20%20&target=alarm%3A42");

        Assert.Equal(new AuditFilter(Target: "alarm:42"), filter);
    }

    [Fact]
    public void FromQuery_LocalTimeWithoutZone_IsReadAsUtc()
    {
        var filter = AuditFilter.FromQuery(new Dictionary<string, string?> { ["from"] = "2026-11-27T05:00" });

        Assert.Equal(new DateTime(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc), filter.From);
    }
}
