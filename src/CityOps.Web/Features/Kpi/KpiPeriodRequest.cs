using System.Globalization;

namespace CityOps.Web.Features.Kpi;

/// <summary>
/// The period as a page URL and the CSV export name it: <c>period</c> (shift, day, week, month, custom), <c>at</c> (a
/// local date or date and time inside the period; now when absent) and, for custom periods, <c>to</c> (the last local day).
/// </summary>
public sealed record KpiPeriodRequest(KpiPeriodKind Kind, DateTime? At, DateOnly? To)
{
    private const string DateFormat = "yyyy-MM-dd";
    private const string DateTimeFormat = "yyyy-MM-dd'T'HH:mm";

    public static KpiPeriodRequest Default { get; } = new(KpiPeriodKind.Day, null, null);

    public static KpiPeriodRequest Parse(string? period, string? at, string? to)
    {
        var kind = Enum.TryParse<KpiPeriodKind>(period, ignoreCase: true, out var k) && Enum.IsDefined(k) ? k : KpiPeriodKind.Day;
        DateTime? anchor = DateTime.TryParseExact(at, [DateTimeFormat, DateFormat], CultureInfo.InvariantCulture, DateTimeStyles.None, out var a) ? a : null;
        DateOnly? last = DateOnly.TryParseExact(to, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
        return new KpiPeriodRequest(kind, anchor, last);
    }

    public KpiPeriod Resolve(TimeZoneInfo zone, ShiftCalendar calendar, DateTime nowUtc)
    {
        var anchor = At ?? TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone);
        return KpiPeriods.Containing(Kind, anchor, zone, calendar, To);
    }

    /// <summary>The query string (without '?', ending in '&amp;' when not empty) that names this period.</summary>
    public string Query
    {
        get
        {
            var q = $"period={Kind.ToString().ToLowerInvariant()}&";
            if (At is { } a)
                q += $"at={a.ToString(Kind == KpiPeriodKind.Shift ? DateTimeFormat : DateFormat, CultureInfo.InvariantCulture)}&";
            if (Kind == KpiPeriodKind.Custom && To is { } t)
                q += $"to={t.ToString(DateFormat, CultureInfo.InvariantCulture)}&";
            return q;
        }
    }

    /// <summary>The request naming exactly <paramref name="period"/> (its start as the anchor).</summary>
    public static KpiPeriodRequest For(KpiPeriod period) =>
        new(period.Kind, period.LocalFrom, period.Kind == KpiPeriodKind.Custom ? DateOnly.FromDateTime(period.LocalTo.AddTicks(-1)) : null);
}
