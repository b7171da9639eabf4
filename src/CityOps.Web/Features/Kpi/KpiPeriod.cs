namespace CityOps.Web.Features.Kpi;

/// <summary>The periods a manager can pick. <see cref="Custom"/> is whole local days.</summary>
public enum KpiPeriodKind { Shift, Day, Week, Month, Custom }

/// <summary>
/// A reporting period in a site's time zone: [<see cref="From"/>, <see cref="To"/>) in UTC, always whole local hours,
/// so that hourly rollups cover it exactly.
/// </summary>
public sealed record KpiPeriod(KpiPeriodKind Kind, DateTime From, DateTime To, TimeZoneInfo Zone)
{
    public DateTime LocalFrom => TimeZoneInfo.ConvertTimeFromUtc(From, Zone);
    public DateTime LocalTo => TimeZoneInfo.ConvertTimeFromUtc(To, Zone);
    public TimeSpan Length => To - From;

    /// <summary>The period before this one, of the same kind and length in local time.</summary>
    public KpiPeriod Previous() => Kind switch
    {
        KpiPeriodKind.Shift => this with { From = From - Length, To = From },
        KpiPeriodKind.Month => Local(LocalFrom.AddMonths(-1), LocalFrom),
        _ => Local(LocalFrom - (LocalTo - LocalFrom), LocalFrom),
    };

    /// <summary>The same period a week earlier (the city's energy comparison).</summary>
    public KpiPeriod WeekEarlier() => Local(LocalFrom.AddDays(-7), LocalTo.AddDays(-7));

    /// <summary>A label such as "Tue 17 Nov 2026 06:00 – 14:00" in the site's time zone.</summary>
    public string Label
    {
        get
        {
            var from = LocalFrom;
            var to = LocalTo;
            return Kind switch
            {
                KpiPeriodKind.Shift => $"{from:ddd d MMM yyyy HH:mm} – {to:HH:mm}",
                KpiPeriodKind.Day => $"{from:ddd d MMM yyyy}",
                KpiPeriodKind.Month => $"{from:MMMM yyyy}",
                _ => $"{from:d MMM yyyy} – {to.AddDays(-1):d MMM yyyy}",
            };
        }
    }

    private KpiPeriod Local(DateTime localFrom, DateTime localTo) =>
        this with { From = KpiPeriods.ToUtc(localFrom, Zone), To = KpiPeriods.ToUtc(localTo, Zone) };
}

public static class KpiPeriods
{
    /// <summary>
    /// The period of <paramref name="kind"/> that contains <paramref name="anchorLocal"/> (a local time): the shift by
    /// the calendar's shift starts, the local day, the ISO week (from Monday) or the calendar month. Custom periods run
    /// from the start of <paramref name="anchorLocal"/>'s day to the start of the day after <paramref name="customLastDay"/>.
    /// </summary>
    public static KpiPeriod Containing(KpiPeriodKind kind, DateTime anchorLocal, TimeZoneInfo zone, ShiftCalendar calendar, DateOnly? customLastDay = null)
    {
        var day = anchorLocal.Date;
        return kind switch
        {
            KpiPeriodKind.Shift => Shift(anchorLocal, zone, calendar),
            KpiPeriodKind.Day => Make(kind, day, day.AddDays(1), zone),
            KpiPeriodKind.Week => Make(kind, day.AddDays(-(((int)day.DayOfWeek + 6) % 7)), day.AddDays(-(((int)day.DayOfWeek + 6) % 7) + 7), zone),
            KpiPeriodKind.Month => Make(kind, new DateTime(day.Year, day.Month, 1), new DateTime(day.Year, day.Month, 1).AddMonths(1), zone),
            _ => Make(kind, day, CustomEnd(day, customLastDay), zone),
        };
    }

    /// <summary>The latest complete-or-running period of the kind at <paramref name="nowUtc"/>.</summary>
    public static KpiPeriod Current(KpiPeriodKind kind, DateTime nowUtc, TimeZoneInfo zone, ShiftCalendar calendar) =>
        Containing(kind, TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone), zone, calendar);

    internal static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A local time skipped by a clock change does not exist: take the instant the clocks jumped to.
        while (zone.IsInvalidTime(unspecified))
            unspecified = unspecified.AddMinutes(30);
        return TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
    }

    private static DateTime CustomEnd(DateTime firstDay, DateOnly? lastDay)
    {
        var end = (lastDay?.ToDateTime(TimeOnly.MinValue) ?? firstDay).AddDays(1);
        return end > firstDay ? end : firstDay.AddDays(1);
    }

    private static KpiPeriod Make(KpiPeriodKind kind, DateTime localFrom, DateTime localTo, TimeZoneInfo zone) =>
        new(kind, ToUtc(localFrom, zone), ToUtc(localTo, zone), zone);

    private static KpiPeriod Shift(DateTime anchorLocal, TimeZoneInfo zone, ShiftCalendar calendar)
    {
        var shift = calendar.ShiftAt(anchorLocal);
        if (shift is { } s)
            return new KpiPeriod(KpiPeriodKind.Shift, ToUtc(s.Start, zone), ToUtc(s.End, zone), zone);
        // Outside every shift: the hours since the last shift ended, up to the next start (or the day's end).
        var hour = new DateTime(anchorLocal.Year, anchorLocal.Month, anchorLocal.Day, anchorLocal.Hour, 0, 0);
        return new KpiPeriod(KpiPeriodKind.Shift, ToUtc(hour, zone), ToUtc(hour.AddHours(8), zone), zone);
    }
}
