namespace CityOps.Simulator.Physics;

/// <summary>Local calendar position of an instant at a site: what the daily and weekly patterns follow.</summary>
internal readonly record struct LocalTime(double Hour, DayOfWeek Day, int DayOfYear)
{
    public bool IsWeekday => Day is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
}

/// <summary>
/// Converts UTC ticks to a site's local time. The offset is cached per UTC hour (time-zone transitions fall
/// on whole hours) in an immutable object, so clones may share one clock across threads.
/// </summary>
internal sealed class SiteClock(TimeZoneInfo zone)
{
    private sealed record OffsetSpan(long From, long To, long Offset);

    private OffsetSpan? _cache;

    public static SiteClock For(string timeZoneId) =>
        // A host without time-zone data still gets a working twin; patterns then follow UTC.
        new(TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : TimeZoneInfo.Utc);

    public LocalTime ToLocal(long utcTicks)
    {
        var span = _cache;
        if (span is null || utcTicks < span.From || utcTicks >= span.To)
        {
            var hourStart = utcTicks - utcTicks % TimeSpan.TicksPerHour;
            var offset = zone.GetUtcOffset(new DateTime(hourStart, DateTimeKind.Utc)).Ticks;
            span = new OffsetSpan(hourStart, hourStart + TimeSpan.TicksPerHour, offset);
            _cache = span;
        }
        var local = utcTicks + span.Offset;
        var days = local / TimeSpan.TicksPerDay;
        var hour = (local - days * TimeSpan.TicksPerDay) / (double)TimeSpan.TicksPerHour;
        // 0001-01-01 was a Monday.
        var day = (DayOfWeek)((days + 1) % 7);
        return new LocalTime(hour, day, new DateTime(local, DateTimeKind.Unspecified).DayOfYear);
    }
}

/// <summary>Shapes of the daily and weekly cycles, normalised so that a typical peak is about 1.</summary>
internal static class Profiles
{
    public static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>Smoothly on between <paramref name="on"/> and <paramref name="off"/> hours.</summary>
    public static double Bump(double hour, double on, double off, double width) =>
        Sigmoid((hour - on) / width) * Sigmoid((off - hour) / width);

    public static double Peak(double hour, double centre, double width)
    {
        var d = (hour - centre) / width;
        return Math.Exp(-d * d);
    }

    /// <summary>Road traffic: morning and evening rush hours on weekdays, a late broad hump at weekends.</summary>
    public static double Traffic(LocalTime t) => t.Day switch
    {
        DayOfWeek.Saturday => 0.05 + 0.45 * Bump(t.Hour, 8.5, 23.0, 0.9) + 0.15 * Peak(t.Hour, 13, 2.5),
        DayOfWeek.Sunday => 0.04 + 0.35 * Bump(t.Hour, 9.5, 21.0, 1.0),
        DayOfWeek.Friday => 0.04 + 0.40 * Bump(t.Hour, 6.3, 22.0, 0.6) + 0.50 * Peak(t.Hour, 8.0, 1.0) + 0.50 * Peak(t.Hour, 16.5, 1.8),
        _ => 0.04 + 0.38 * Bump(t.Hour, 6.3, 21.0, 0.6) + 0.55 * Peak(t.Hour, 8.0, 1.0) + 0.48 * Peak(t.Hour, 17.3, 1.4),
    };

    /// <summary>Drinking-water demand relative to the daily mean: low at night, a morning and an evening peak.</summary>
    public static double WaterDemand(LocalTime t) => t.IsWeekday
        ? 0.35 + 0.85 * Peak(t.Hour, 7.3, 1.3) + 0.45 * Bump(t.Hour, 6.5, 22.5, 0.8) + 0.60 * Peak(t.Hour, 19.5, 1.8)
        : 0.35 + 0.75 * Peak(t.Hour, 9.5, 1.8) + 0.50 * Bump(t.Hour, 7.5, 23.0, 0.9) + 0.55 * Peak(t.Hour, 19.0, 2.0);

    /// <summary>Household electricity: breakfast and a larger evening peak.</summary>
    public static double Residential(LocalTime t) =>
        0.45 + 0.25 * Peak(t.Hour, 7.5, 1.2) + 0.55 * Peak(t.Hour, 19.0, 2.2) + 0.10 * Bump(t.Hour, 7, 23, 0.8);

    /// <summary>Offices and shops: business hours, much less at weekends.</summary>
    public static double Commercial(LocalTime t) => t.IsWeekday
        ? 0.30 + 0.70 * Bump(t.Hour, 7.5, 18.5, 0.7)
        : 0.30 + 0.20 * Bump(t.Hour, 10, 17, 0.7);
}

/// <summary>
/// The plant's shift calendar: three shifts Monday 06:00 to Saturday 06:00, an early shift on Saturday,
/// nothing on Sunday. Each shift has a 15-minute handover at its start and a 30-minute break in its middle
/// (planned stops, machines idle). A weekday therefore produces about 21¾ of 24 hours.
/// </summary>
internal static class ShiftCalendar
{
    public static bool Producing(LocalTime t)
    {
        var h = t.Hour;
        var scheduled = t.Day switch
        {
            DayOfWeek.Sunday => false,
            DayOfWeek.Monday => h >= 6,
            DayOfWeek.Saturday => h < 14,
            _ => true,
        };
        if (!scheduled)
        {
            return false;
        }
        var inShift = (h + 2) % 8; // shifts start at 06, 14 and 22
        var handover = inShift < 0.25;
        var breakTime = inShift is >= 4 and < 4.5;
        return !handover && !breakTime;
    }
}

/// <summary>Site weather: a pure function of time, the same for every sensor at the site.</summary>
internal static class Weather
{
    private const double TwoPi = 2 * Math.PI;

    public static double AirTemperature(ulong stream, double seconds, LocalTime t)
    {
        var seasonal = 10.5 - 7.5 * Math.Cos(TwoPi * (t.DayOfYear - 20) / 365.25);
        var dailyAmplitude = 3.5 + 1.5 * (seasonal - 3) / 15;
        return seasonal + dailyAmplitude * Math.Cos(TwoPi * (t.Hour - 15) / 24)
            + 2.5 * Noise.Smooth(stream, seconds, 8 * 3600) + 0.6 * Noise.Smooth(stream ^ 0x51, seconds, 3600);
    }

    /// <summary>Wind speed in m/s.</summary>
    public static double Wind(ulong stream, double seconds) =>
        Math.Max(0.3, 4 + 2.2 * Noise.Smooth(stream ^ 0x77, seconds, 5 * 3600) + 0.7 * Noise.Smooth(stream ^ 0x78, seconds, 2400));

    /// <summary>Fine-dust background carried in from the region, µg/m³.</summary>
    public static double RegionalPm25(ulong stream, double seconds) =>
        Math.Max(2, 7 + 3.5 * Noise.Smooth(stream ^ 0x99, seconds, 30 * 3600));

    /// <summary>Solar elevation in degrees (declination and hour angle; good to about a degree).</summary>
    public static double SunElevation(double latitude, double longitude, long utcTicks)
    {
        var days = utcTicks / (double)TimeSpan.TicksPerDay;
        var dayOfYear = new DateTime(utcTicks, DateTimeKind.Utc).DayOfYear;
        var utcHours = (days - Math.Floor(days)) * 24;
        var declination = 23.44 * Math.PI / 180 * Math.Sin(TwoPi * (284 + dayOfYear) / 365);
        var hourAngle = (utcHours + longitude / 15 - 12) * 15 * Math.PI / 180;
        var phi = latitude * Math.PI / 180;
        var sin = Math.Sin(phi) * Math.Sin(declination) + Math.Cos(phi) * Math.Cos(declination) * Math.Cos(hourAngle);
        return Math.Asin(Math.Clamp(sin, -1, 1)) * 180 / Math.PI;
    }
}
