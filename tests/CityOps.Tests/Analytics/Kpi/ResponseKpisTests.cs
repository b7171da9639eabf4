using CityOps.Analytics.Kpi;

namespace CityOps.Tests.Analytics.Kpi;

public sealed class ResponseKpisTests
{
    [Fact]
    public void Compute_MixedDecisions_SharesOverDecidedAndCheckedOnly()
    {
        var report = ResponseKpis.Compute(
        [
            new(Accepted: true, Rejected: false, Expired: false, Applied: true, AsPredicted: true, MeanAbsoluteError: 0.2),
            new(Accepted: true, Rejected: false, Expired: false, Applied: true, AsPredicted: false, MeanAbsoluteError: 0.6),
            new(Accepted: true, Rejected: false, Expired: false, Applied: false, AsPredicted: null, MeanAbsoluteError: null),
            new(Accepted: false, Rejected: true, Expired: false, Applied: false, AsPredicted: null, MeanAbsoluteError: null),
            new(Accepted: false, Rejected: false, Expired: true, Applied: false, AsPredicted: null, MeanAbsoluteError: null),
        ]);

        Assert.Equal(5, report.Suggested);
        Assert.Equal(0.75, report.AcceptedShare);
        Assert.Equal(1, report.Expired);
        Assert.Equal(2, report.Applied);
        Assert.Equal(2, report.OutcomesChecked);
        Assert.Equal(0.5, report.AsPredictedShare);
        Assert.Equal(0.4, report.MeanAbsoluteError!.Value, 12);
    }

    [Fact]
    public void Compute_NothingDecidedOrChecked_SharesAreMissingNotZero()
    {
        var report = ResponseKpis.Compute([new(false, false, true, false, null, null)]);

        Assert.Null(report.AcceptedShare);
        Assert.Null(report.AsPredictedShare);
        Assert.Null(report.MeanAbsoluteError);
    }
}
