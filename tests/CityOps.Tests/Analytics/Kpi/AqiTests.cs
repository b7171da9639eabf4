using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class AqiTests
{
    [Theory]
    [InlineData(9.0, 50)]
    [InlineData(9.1, 51)]
    [InlineData(12.0, 56)]
    [InlineData(35.4, 100)]
    [InlineData(35.5, 101)]
    [InlineData(55.5, 151)]
    [InlineData(100, 182)]
    [InlineData(225.5, 301)]
    [InlineData(325.4, 500)]
    public void Index_Pm25With2024Table_MatchesEpaTestVectors(double concentration, int expected)
    {
        Assert.Equal(expected, AqiTable.Epa2024.Index(Pollutant.Pm25, concentration).Index);
    }

    [Fact]
    public void Index_Pm25_TruncatesToOneDecimalBeforeLookingUp()
    {
        // 9.09 truncates to 9.0 (Good, 50), not rounds to 9.1 (Moderate, 51).
        var value = AqiTable.Epa2024.Index(Pollutant.Pm25, 9.09);

        Assert.Equal(50, value.Index);
        Assert.Equal(AqiCategory.Good, value.Category);
    }

    [Theory]
    [InlineData(12.0, 50)]
    [InlineData(12.1, 51)]
    [InlineData(35.4, 100)]
    [InlineData(150.4, 200)]
    [InlineData(500.4, 500)]
    public void Index_Pm25With2012Table_UsesTheOldBreakpoints(double concentration, int expected)
    {
        Assert.Equal(expected, AqiTable.Epa2012.Index(Pollutant.Pm25, concentration).Index);
    }

    [Theory]
    [InlineData(Pollutant.Pm10, 54, 50)]
    [InlineData(Pollutant.Pm10, 155, 101)]
    [InlineData(Pollutant.No2, 53, 50)]
    [InlineData(Pollutant.No2, 100, 100)]
    [InlineData(Pollutant.No2, 361, 151)]
    [InlineData(Pollutant.O3, 0.054, 50)]
    [InlineData(Pollutant.O3, 0.070, 100)]
    [InlineData(Pollutant.O3, 0.0859, 150)]
    public void Index_OtherPollutants_FollowEpaBreakpoints(Pollutant pollutant, double concentration, int expected)
    {
        Assert.Equal(expected, AqiTable.Epa2024.Index(pollutant, concentration).Index);
    }

    [Fact]
    public void Index_AboveTheTopBreakpoint_Is500AndMarkedBeyondTheIndex()
    {
        var value = AqiTable.Epa2024.Index(Pollutant.Pm25, 400);

        Assert.Equal(500, value.Index);
        Assert.True(value.BeyondIndex);
        Assert.Equal(AqiCategory.Hazardous, value.Category);
    }

    [Fact]
    public void For_DayBeforeAndAfterThe2024Revision_PicksTheTableInForce()
    {
        Assert.Same(AqiTable.Epa2012, AqiTable.For(new DateOnly(2024, 5, 5)));
        Assert.Same(AqiTable.Epa2024, AqiTable.For(new DateOnly(2024, 5, 6)));
    }

    [Fact]
    public void Overall_SeveralPollutants_IsTheHighestSubIndexAndSkipsMissing()
    {
        var overall = AqiTable.Epa2024.Overall([(Pollutant.Pm25, 12.0), (Pollutant.Pm10, 160), (Pollutant.No2, null)]);

        Assert.NotNull(overall);
        Assert.Equal(Pollutant.Pm10, overall.Value.Dominant);
        Assert.Equal(103, overall.Value.Value.Index);
    }

    [Fact]
    public void Overall_NoData_IsMissingNotGood()
    {
        Assert.Null(AqiTable.Epa2024.Overall([(Pollutant.Pm25, null)]));
    }

    [Fact]
    public void MicrogramsToPpb_No2_UsesMolarVolumeAt25Degrees()
    {
        Assert.Equal(53.15, AqiTable.MicrogramsToPpb(Pollutant.No2, 100), 2);
    }

    [Theory]
    [InlineData(Pollutant.Pm25, 10, EuropeanAqiBand.Good)]
    [InlineData(Pollutant.Pm25, 10.1, EuropeanAqiBand.Fair)]
    [InlineData(Pollutant.Pm25, 80, EuropeanAqiBand.ExtremelyPoor)]
    [InlineData(Pollutant.No2, 100, EuropeanAqiBand.Moderate)]
    [InlineData(Pollutant.O3, 240, EuropeanAqiBand.Poor)]
    [InlineData(Pollutant.Pm10, 120, EuropeanAqiBand.VeryPoor)]
    public void EuropeanBand_Concentration_FallsInTheEeaBand(Pollutant pollutant, double concentration, EuropeanAqiBand expected)
    {
        Assert.Equal(expected, EuropeanAqi.Band(pollutant, concentration));
    }
}
