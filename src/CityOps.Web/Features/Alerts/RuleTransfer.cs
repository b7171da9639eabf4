namespace CityOps.Web.Features.Alerts;

/// <summary>What import did (or, in a dry run, would do) with one rule of the file.</summary>
public enum RuleImportOutcome { Created, Updated, Unchanged, Rejected }

/// <summary>One line of an import report: the rule's key (or its position when it has none), the outcome and why.</summary>
public sealed record RuleImportLine(int Position, string? Key, RuleImportOutcome Outcome, IReadOnlyList<string> Problems);

/// <summary>The per-rule report of an import.</summary>
public sealed record RuleImportReport(bool DryRun, IReadOnlyList<RuleImportLine> Lines)
{
    public int Rejected => Lines.Count(l => l.Outcome == RuleImportOutcome.Rejected);
}
