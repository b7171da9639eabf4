using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class OeeTests
{
    [Fact]
    public void Compute_Iso22400TestVector_GivesPublishedFigures()
    {
        // Planned busy 420 min, actual production 373 min, 1 s per unit, 19,271 produced, 18,848 good.
        var r = Oee.Compute(new OeeInputs(420, 373, 1.0 / 60, 19_271, 18_848));

        Assert.Equal(88.81, Math.Round(r.Availability!.Value * 100, 2));
        Assert.Equal(86.11, Math.Round(r.Effectiveness!.Value * 100, 2));
        Assert.Equal(97.80, Math.Round(r.QualityRatio!.Value * 100, 2));
        Assert.Equal(74.79, Math.Round(r.Oee!.Value * 100, 2));
        Assert.Equal(r.Availability * r.Effectiveness * r.QualityRatio ?? 0, r.Oee.Value, 12);
    }

    [Fact]
    public void Compute_ScrapFailuresAndEnergy_GiveRatiosPerDefinition()
    {
        var r = Oee.Compute(new OeeInputs(480, 400, 0.5, 700, 665, Failures: 4, RepairTime: 80, Energy: 1330));

        Assert.Equal(35.0 / 700, r.ScrapRatio!.Value, 12);
        Assert.Equal(100, r.Mtbf);
        Assert.Equal(20, r.Mttr);
        Assert.Equal(2, r.EnergyPerGoodUnit!.Value, 12);
    }

    [Fact]
    public void Compute_NoProductionPlanned_EveryTimeRatioIsMissingNotZero()
    {
        var r = Oee.Compute(new OeeInputs(0, 0, 1, 0, 0));

        Assert.Null(r.Availability);
        Assert.Null(r.Effectiveness);
        Assert.Null(r.QualityRatio);
        Assert.Null(r.Oee);
        Assert.Null(r.Mtbf);
    }

    [Fact]
    public void Compute_PlannedButNothingProduced_OeeIsZeroAndQualityUndefined()
    {
        var r = Oee.Compute(new OeeInputs(420, 0, 1, 0, 0));

        Assert.Equal(0, r.Availability);
        Assert.Null(r.Effectiveness);
        Assert.Null(r.QualityRatio);
        Assert.Equal(0, r.Oee);
    }

    [Fact]
    public void Compute_MoreGoodThanProduced_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Oee.Compute(new OeeInputs(420, 400, 1, 10, 11)));
    }
}
