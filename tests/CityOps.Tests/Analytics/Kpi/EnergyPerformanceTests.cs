using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class EnergyPerformanceTests
{
    [Fact]
    public void Consumption_IntervalReadings_AreSummed()
    {
        Assert.Equal(7.5, EnergyPerformance.Consumption([2.5, 3, 2])!.Value, 12);
    }

    [Fact]
    public void Consumption_NoReadings_IsMissingNotZero()
    {
        Assert.Null(EnergyPerformance.Consumption([]));
        Assert.Equal(0.0, EnergyPerformance.Consumption([0.0]));
    }

    [Fact]
    public void Total_SomeMetersSilent_AddsTheOthersAndIsMissingWhenAllAre()
    {
        Assert.Equal(300, EnergyPerformance.Total([100, null, 200])!.Value, 12);
        Assert.Null(EnergyPerformance.Total([null, null]));
    }

    [Fact]
    public void ChangeAgainstBaseline_SamePeriodLastWeek_IsSignedFraction()
    {
        // 1150 kWh against 1000 kWh a week earlier: +15 %; 850 → −15 %.
        Assert.Equal(0.15, EnergyPerformance.ChangeAgainstBaseline(1150, 1000)!.Value, 12);
        Assert.Equal(-0.15, EnergyPerformance.ChangeAgainstBaseline(850, 1000)!.Value, 12);
        Assert.Null(EnergyPerformance.ChangeAgainstBaseline(850, null));
        Assert.Null(EnergyPerformance.ChangeAgainstBaseline(850, 0));
    }

    [Fact]
    public void PerGoodUnit_LineMeterAndOutput_IsKwhPerGoodPart()
    {
        // 1,240 kWh on the line's feeder for 3,100 good parts: 0.4 kWh per part.
        Assert.Equal(0.4, EnergyPerformance.PerGoodUnit(1240, 3100)!.Value, 12);
    }

    [Fact]
    public void PerGoodUnit_NoOutputOrNoMeter_IsMissing()
    {
        Assert.Null(EnergyPerformance.PerGoodUnit(1240, 0));
        Assert.Null(EnergyPerformance.PerGoodUnit(null, 3100));
        Assert.Null(EnergyPerformance.PerGoodUnit(1240, null));
    }
}
