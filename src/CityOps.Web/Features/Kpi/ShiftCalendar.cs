using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Kpi;

/// <summary>One occurrence of a shift, in local time.</summary>
public readonly record struct ShiftOccurrence(string Name, DateTime Start, DateTime End);

/// <summary>The plant's shift calendar: which local times are planned busy time (in a shift, outside its planned stops).</summary>
public sealed class ShiftCalendar
{
    private readonly ShiftCalendarOptions _options;

    public ShiftCalendar(IOptions<KpiOptions> options) : this(options.Value.Shifts) { }

    public ShiftCalendar(ShiftCalendarOptions options) => _options = options.Effective;

    /// <summary>The shift running at <paramref name="local"/>, if any (a night shift belongs to the day it started).</summary>
    public ShiftOccurrence? ShiftAt(DateTime local)
    {
        for (var back = 0; back <= 1; back++)
        {
            var day = local.Date.AddDays(-back);
            foreach (var s in _options.Shifts)
            {
                if (!s.Days.Contains(day.DayOfWeek))
                    continue;
                var start = day + s.Start.ToTimeSpan();
                if (local >= start && local < start + s.Length)
                    return new ShiftOccurrence(s.Name, start, start + s.Length);
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="local"/> is planned busy time.</summary>
    public bool Producing(DateTime local)
    {
        if (ShiftAt(local) is not { } shift)
            return false;
        var into = local - shift.Start;
        foreach (var stop in _options.PlannedStops)
        {
            if (into >= stop.Offset && into < stop.Offset + stop.Length)
                return false;
        }
        return true;
    }

    /// <summary>Planned busy minutes in [<paramref name="fromUtc"/>, <paramref name="fromUtc"/> + <paramref name="minutes"/> min), minute by minute.</summary>
    public int PlannedMinutes(DateTime fromUtc, TimeZoneInfo zone, int minutes = 60)
    {
        var planned = 0;
        for (var m = 0; m < minutes; m++)
        {
            if (Producing(TimeZoneInfo.ConvertTimeFromUtc(fromUtc.AddMinutes(m), zone)))
                planned++;
        }
        return planned;
    }
}
