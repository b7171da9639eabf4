using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>Places validation problems under the editor's fields.</summary>
public static class RuleProblems
{
    /// <summary>The messages for <paramref name="field"/> (a camelCase JSON path), joined; null when it has none.</summary>
    public static string? MessageFor(IReadOnlyList<RuleProblem> problems, string field)
    {
        var messages = problems.Where(p => string.Equals(p.Field, field, StringComparison.OrdinalIgnoreCase)).Select(p => p.Message).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }
}
