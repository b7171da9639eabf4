namespace CityOps.Analytics.Kpi;

/// <summary>What became of one suggested control action.</summary>
/// <param name="Accepted">Accepted as proposed or modified by the operator.</param>
/// <param name="Applied">Its command reached the equipment and was applied.</param>
/// <param name="AsPredicted">After the horizon, the process stayed on the side of the limit the prediction said (null: not checked).</param>
/// <param name="MeanAbsoluteError">Actual readings against the predicted path, in the sensor's unit (null: not checked).</param>
public sealed record ActionDecision(bool Accepted, bool Rejected, bool Expired, bool Applied, bool? AsPredicted, double? MeanAbsoluteError);

/// <summary>How operators responded to suggested actions in a period and how well the predictions held.</summary>
public sealed record ResponseReport(
    int Suggested,
    int Accepted,
    int Rejected,
    int Expired,
    double? AcceptedShare,
    int Applied,
    int OutcomesChecked,
    double? AsPredictedShare,
    double? MeanAbsoluteError);

/// <summary>
/// Response figures of ISA-18.2 clause 16 (operator response) carried over to suggested control actions: the
/// share of decided suggestions that operators accepted (as proposed or modified), and for applied actions how
/// often the outcome check found the process where the prediction said it would be. Version "CityOps-R1".
/// </summary>
public static class ResponseKpis
{
    public const string Version = "CityOps-R1";

    public static ResponseReport Compute(IReadOnlyCollection<ActionDecision> decisions)
    {
        var accepted = decisions.Count(d => d.Accepted);
        var rejected = decisions.Count(d => d.Rejected);
        var decided = accepted + rejected;
        var checkedOutcomes = decisions.Where(d => d.AsPredicted is not null).ToList();
        var errors = decisions.Where(d => d.MeanAbsoluteError is not null).Select(d => d.MeanAbsoluteError!.Value).ToList();
        return new ResponseReport(
            decisions.Count,
            accepted,
            rejected,
            decisions.Count(d => d.Expired),
            decided > 0 ? (double)accepted / decided : null,
            decisions.Count(d => d.Applied),
            checkedOutcomes.Count,
            checkedOutcomes.Count > 0 ? (double)checkedOutcomes.Count(d => d.AsPredicted == true) / checkedOutcomes.Count : null,
            errors.Count > 0 ? errors.Average() : null);
    }
}
