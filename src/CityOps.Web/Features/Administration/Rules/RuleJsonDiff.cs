using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;

namespace CityOps.Web.Features.Administration.Rules;

public enum DiffKind { Same, Removed, Added }

public sealed record DiffLine(DiffKind Kind, string Text);

/// <summary>Rule definitions as indented JSON, and a line diff between two of them (what a restore would change).</summary>
public static class RuleJsonDiff
{
    private static readonly JsonSerializerOptions Indented = new(AlertRuleJson.Options) { WriteIndented = true };

    public static string Json(AlertRuleDefinition definition) => JsonSerializer.Serialize(definition, Indented);

    /// <summary>The lines of <paramref name="from"/> turned into <paramref name="to"/> (longest common subsequence; rules are a few dozen lines).</summary>
    public static IReadOnlyList<DiffLine> Diff(AlertRuleDefinition from, AlertRuleDefinition to)
    {
        var a = Json(from).Split('\n');
        var b = Json(to).Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var lines = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y])
            {
                lines.Add(new(DiffKind.Same, a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                lines.Add(new(DiffKind.Removed, a[x++]));
            }
            else
            {
                lines.Add(new(DiffKind.Added, b[y++]));
            }
        }
        lines.AddRange(a[x..].Select(l => new DiffLine(DiffKind.Removed, l)));
        lines.AddRange(b[y..].Select(l => new DiffLine(DiffKind.Added, l)));
        return lines;
    }
}
