namespace CityOps.Analytics.Alerts;

/// <summary>
/// One thing wrong with a rule, said so that an administrator can fix it: <see cref="Field"/> is the JSON path of
/// the field (e.g. "model.deadband", "scope", "rationalisation.timeToRespond") the editor shows the message under.
/// </summary>
public sealed record RuleProblem(string Field, string Message);

/// <summary>
/// Checks a rule definition before it is saved, backtested or imported. Every message explains the constraint
/// (e.g. "The deadband (6) must be smaller than the distance between the low and high limits (5).").
/// </summary>
public static class RuleValidation
{
    /// <summary>All the problems of <paramref name="definition"/>; empty when it can be saved.</summary>
    public static IReadOnlyList<RuleProblem> Validate(AlertRuleDefinition definition)
    {
        var problems = new List<RuleProblem>();
        if (string.IsNullOrWhiteSpace(definition.Key))
        {
            problems.Add(new("key", "A rule needs a key, e.g. \"plant.motor_temp.high\"; alarms and versions refer to it."));
        }
        if (string.IsNullOrWhiteSpace(definition.Name))
        {
            problems.Add(new("name", "A rule needs a name: operators read it in the alarm list."));
        }
        if (string.IsNullOrWhiteSpace(definition.Message))
        {
            problems.Add(new("message", "A rule needs a message: it is what the alarm says."));
        }
        return problems;
    }
}
