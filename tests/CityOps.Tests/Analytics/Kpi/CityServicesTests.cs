using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class CityServicesTests
{
    [Fact]
    public void Congestion_TravelTimeTwiceFreeFlow_IsOneHundredPercent()
    {
        Assert.Equal(1.0, Congestion.Level(600, 300));
        Assert.Equal(1.0, Congestion.LevelFromSpeeds(25, 50)!.Value, 12);
    }

    [Fact]
    public void Congestion_StandstillOrNoData_IsMissing()
    {
        Assert.Null(Congestion.LevelFromSpeeds(0, 50));
        Assert.Null(Congestion.LevelFromSpeeds(null, 50));
    }

    [Fact]
    public void Congestion_Combined_WeighsCorridorsByFreeFlowTimeAndSkipsMissing()
    {
        // 100 s free flow taking 200 s, and 300 s free flow taking 300 s: 500 s / 400 s − 1.
        var level = Congestion.Combined([(200, 100), (300, 300), (null, 1000)]);

        Assert.Equal(0.25, level!.Value, 12);
    }

    [Fact]
    public void NonRevenueWater_InflowAndBilled_IsShareOfInflow()
    {
        Assert.Equal(0.2, WaterBalance.NonRevenueWaterRatio(1000, 800)!.Value, 12);
        Assert.Null(WaterBalance.NonRevenueWaterRatio(0, 0));
    }

    [Fact]
    public void MinimumNightFlow_TakesTheLowestAverageBetweenTwoAndFour()
    {
        var day = new DateTime(2026, 11, 27);
        var flows = new[]
        {
            (day.AddHours(1.5), 10.0), // before the window: lower but not counted
            (day.AddHours(2), 40.0),
            (day.AddHours(3.75), 35.0),
            (day.AddHours(4), 5.0), // the window is half-open
        };

        Assert.Equal(35.0, WaterBalance.MinimumNightFlow(flows));
        Assert.Null(WaterBalance.MinimumNightFlow([(day.AddHours(12), 50.0)]));
    }

    [Fact]
    public void RelativeChange_AgainstLastWeek_IsSignedFraction()
    {
        Assert.Equal(-0.1, PeriodComparison.RelativeChange(900, 1000)!.Value, 12);
        Assert.Null(PeriodComparison.RelativeChange(900, 0));
        Assert.Null(PeriodComparison.RelativeChange(null, 1000));
    }
}
