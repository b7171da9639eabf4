using CityOps.Analytics.Alerts;
using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class AlarmSystemKpisTests
{
    private static readonly DateTime T0 = new(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc);

    private static AlarmOccurrence Alarm(double minutes, string area = "north", AlarmPriority priority = AlarmPriority.Low, string rule = "r1",
        string source = "s1", double? ackAfterMinutes = null, double? clearAfterMinutes = 5) =>
        new(T0.AddMinutes(minutes), ackAfterMinutes is { } a ? T0.AddMinutes(minutes + a) : null,
            clearAfterMinutes is { } c ? T0.AddMinutes(minutes + c) : null, priority, area, rule, source);

    [Fact]
    public void Compute_OneHourWithTwelveAlarmsInOneInterval_ReportsRatePeakAndFlood()
    {
        var alarms = Enumerable.Range(0, 12).Select(i => Alarm(20 + i * 0.5, source: $"s{i}")).ToList();

        var report = AlarmSystemKpis.Compute(alarms, T0, T0.AddHours(1));

        var north = Assert.Single(report.Areas);
        Assert.Equal(12, north.Alarms);
        Assert.Equal(2.0, north.AveragePerTenMinutes);
        Assert.Equal(12, north.PeakPerTenMinutes);
        Assert.Equal(100.0 / 6, north.PercentTimeInFlood, 9);
        Assert.Equal(12 * 24, north.AveragePerDay, 9);
    }

    [Fact]
    public void Compute_QuietAreaNamedUpFront_IsReportedWithZeroLoad()
    {
        var report = AlarmSystemKpis.Compute([Alarm(1)], T0, T0.AddHours(1), areas: ["south"]);

        var south = Assert.Single(report.Areas, a => a.Area == "south");
        Assert.Equal(0, south.Alarms);
        Assert.Equal(0, south.PeakPerTenMinutes);
    }

    [Fact]
    public void Compute_TopTenAndShare_CountRepeatedAlarms()
    {
        var alarms = Enumerable.Range(0, 6).Select(i => Alarm(i * 5, rule: "hot")).Concat(Enumerable.Range(0, 4).Select(i => Alarm(i * 7 + 1, rule: "cold"))).ToList();

        var report = AlarmSystemKpis.Compute(alarms, T0, T0.AddHours(1));

        Assert.Equal("hot", report.TopTen[0].RuleKey);
        Assert.Equal(6, report.TopTen[0].Count);
        Assert.Equal(0.6, report.TopTen[0].Share, 12);
        Assert.Equal(1.0, report.TopTenShare!.Value, 12);
    }

    [Fact]
    public void Compute_ThreeRaisesWithinAMinute_CountsOneChatteringAlarm()
    {
        var alarms = new[] { Alarm(10), Alarm(10.3), Alarm(10.9), Alarm(30, source: "s2"), Alarm(32, source: "s2"), Alarm(34, source: "s2") };

        var report = AlarmSystemKpis.Compute(alarms, T0, T0.AddHours(1));

        Assert.Equal(1, report.ChatteringAlarms);
    }

    [Fact]
    public void Compute_AlarmStandingForMoreThanADay_IsStale()
    {
        var alarms = new[] { Alarm(-26 * 60, clearAfterMinutes: null), Alarm(-2 * 60, clearAfterMinutes: null), Alarm(-30 * 60, clearAfterMinutes: 60) };

        var report = AlarmSystemKpis.Compute(alarms, T0, T0.AddHours(1));

        Assert.Equal(1, report.StaleAlarms);
        Assert.Equal(0, report.TotalAlarms);
    }

    [Fact]
    public void Compute_PriorityMixAndAcknowledgement_GiveDistributionAndMeanTime()
    {
        var alarms = new[]
        {
            Alarm(1, priority: AlarmPriority.Low, ackAfterMinutes: 2),
            Alarm(2, priority: AlarmPriority.Low, ackAfterMinutes: 4),
            Alarm(3, priority: AlarmPriority.Medium),
            Alarm(4, priority: AlarmPriority.Critical, ackAfterMinutes: 0.5),
        };

        var report = AlarmSystemKpis.Compute(alarms, T0, T0.AddHours(1));

        Assert.Equal(0.5, report.PriorityDistribution![AlarmPriority.Low]);
        Assert.Equal(0.25, report.PriorityDistribution[AlarmPriority.Medium]);
        Assert.Equal(0.25, report.PriorityDistribution[AlarmPriority.Critical]);
        Assert.Equal(TimeSpan.FromMinutes(6.5 / 3), report.MeanTimeToAcknowledge);
    }

    [Fact]
    public void Compute_NoAlarms_RatiosAreMissingButCountsAreZero()
    {
        var report = AlarmSystemKpis.Compute([], T0, T0.AddDays(1), areas: ["north"]);

        Assert.Equal(0, report.TotalAlarms);
        Assert.Null(report.TopTenShare);
        Assert.Null(report.PriorityDistribution);
        Assert.Null(report.MeanTimeToAcknowledge);
        Assert.Equal(0, report.Areas[0].AveragePerTenMinutes);
    }
}
