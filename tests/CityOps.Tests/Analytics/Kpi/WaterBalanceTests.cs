using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class WaterBalanceTests
{
    private static readonly DateTime Day = new(2026, 11, 17);

    [Fact]
    public void Balance_EveryHourMetered_IsInputLessBilledOverInput()
    {
        // 3 hours of 100 m³ in, 85 + 90 + 80 = 255 m³ billed: NRW 45 m³ of 300 = 15 %.
        var result = WaterBalance.Balance([new(Day, 100, 85), new(Day.AddHours(1), 100, 90), new(Day.AddHours(2), 100, 80)])!;

        Assert.Equal(300, result.SystemInputVolume, 12);
        Assert.Equal(255, result.BilledConsumption, 12);
        Assert.Equal(45, result.NonRevenueWaterVolume, 12);
        Assert.Equal(0.15, result.NonRevenueWaterRatio!.Value, 12);
        Assert.Equal(3, result.Hours);
    }

    [Fact]
    public void Balance_HourWithoutMetering_IsLeftOutOnBothSides()
    {
        // The middle hour's customer meters did not report: counting its 100 m³ as lost would give 40 % instead of 10 %.
        var result = WaterBalance.Balance([new(Day, 100, 90), new(Day.AddHours(1), 100, null), new(Day.AddHours(2), 100, 90)])!;

        Assert.Equal(0.1, result.NonRevenueWaterRatio!.Value, 12);
        Assert.Equal(2, result.Hours);
        Assert.Equal(3, result.InflowHours);
    }

    [Fact]
    public void Balance_NoMeteringOrNoInflow_IsMissing()
    {
        Assert.Null(WaterBalance.Balance([new(Day, 100, null), new(Day.AddHours(1), 100, null)]));
        Assert.Null(WaterBalance.Balance([new(Day, null, 50)]));
        Assert.Null(WaterBalance.Balance([]));
    }

    [Fact]
    public void Balance_ZeroInflow_HasNoRatio()
    {
        var result = WaterBalance.Balance([new(Day, 0, 0)])!;

        Assert.Null(result.NonRevenueWaterRatio);
        Assert.Null(WaterBalance.NonRevenueWaterRatio(0, 10));
    }

    [Fact]
    public void Balance_MoreBilledThanSupplied_IsNegativeNotClamped()
    {
        // A metering error (the inflow meter under-reads) must stay visible, not pass as a perfect network.
        Assert.Equal(-0.1, WaterBalance.Balance([new(Day, 100, 110)])!.NonRevenueWaterRatio!.Value, 12);
    }

    [Fact]
    public void Nightly_TwoNights_GivesEachNightsMinimumInTheWindow()
    {
        (DateTime, double)[] flows =
        [
            (Day.AddHours(1), 10), (Day.AddHours(2), 32), (Day.AddHours(3), 30), (Day.AddHours(4), 5),
            (Day.AddDays(1).AddHours(2), 50), (Day.AddDays(1).AddHours(3), 48),
        ];

        var nights = WaterBalance.Nightly(flows);

        Assert.Equal([(DateOnly.FromDateTime(Day), 30.0), (DateOnly.FromDateTime(Day.AddDays(1)), 48.0)], nights);
        Assert.Equal(30.0, WaterBalance.MinimumNightFlow(flows));
    }

    [Fact]
    public void Nightly_NightWithoutReadings_IsAbsentNotZero()
    {
        (DateTime, double)[] flows = [(Day.AddHours(2), 40), (Day.AddDays(1).AddHours(12), 90), (Day.AddDays(2).AddHours(3), 44)];

        var nights = WaterBalance.Nightly(flows);

        Assert.Equal(2, nights.Count);
        Assert.DoesNotContain(nights, n => n.Night == DateOnly.FromDateTime(Day.AddDays(1)));
        Assert.Empty(WaterBalance.Nightly([(Day.AddHours(12), 90.0)]));
    }

    [Fact]
    public void Nightly_ConfiguredWindow_UsesIt()
    {
        (DateTime, double)[] flows = [(Day.AddHours(1), 12), (Day.AddHours(2), 30), (Day.AddHours(3), 20)];

        Assert.Equal(12.0, WaterBalance.Nightly(flows, new TimeOnly(0, 0), new TimeOnly(3, 0)).Single().Flow);
    }
}
