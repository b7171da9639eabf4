using System.Globalization;
using System.Text;

namespace CityOps.Web.Features.Kpi;

/// <summary>Traffic-light status of a KPI against its target; <see cref="Missing"/> when there is no value.</summary>
public enum KpiLight { None, Green, Amber, Red, Missing }

/// <summary>One cell as shown: the text on the page is the text in the CSV.</summary>
public sealed record KpiCell(string Text, KpiLight Light = KpiLight.None, string? Href = null);

public sealed record KpiTable(string Id, string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<KpiCell>> Rows);

/// <summary>A headline KPI with its target, the previous period's value and where to drill down.</summary>
public sealed record KpiTile(string Id, string Name, string Value, string Target, string Previous, string Change, KpiLight Light, string? DrillHref = null);

/// <summary>
/// What a KPI page shows in words and numbers, already formatted. The page renders it and the CSV export writes
/// it, so the file holds exactly the figures on the screen.
/// </summary>
public sealed record KpiSheet(string Title, string PeriodLabel, string TimeZone, IReadOnlyList<KpiTile> Tiles, IReadOnlyList<KpiTable> Tables)
{
    public string ToCsv()
    {
        var sb = new StringBuilder();
        Line(sb, ["Report", Title]);
        Line(sb, ["Period", PeriodLabel]);
        Line(sb, ["Time zone", TimeZone]);
        sb.Append("\r\n");
        Line(sb, ["Section", "KPI", "Value", "Target", "Previous period", "Change", "Status"]);
        foreach (var t in Tiles)
            Line(sb, ["Summary", t.Name, t.Value, t.Target, t.Previous, t.Change, KpiFormat.Status(t.Light)]);
        foreach (var table in Tables)
        {
            sb.Append("\r\n");
            Line(sb, ["Section", .. table.Columns]);
            foreach (var row in table.Rows)
                Line(sb, [table.Title, .. row.Select(c => c.Text)]);
        }
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IEnumerable<string> fields)
    {
        sb.AppendJoin(',', fields.Select(Escape));
        sb.Append("\r\n");
    }

    private static string Escape(string field) =>
        field.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}

/// <summary>How the KPI pages write numbers: invariant culture, fixed decimals, and "—" for a missing value, never 0.</summary>
public static class KpiFormat
{
    public const string Missing = "—";
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static string Percent(double? ratio, int decimals = 1) => ratio is { } r ? (r * 100).ToString("F" + decimals, C) + " %" : Missing;
    public static string Number(double? value, int decimals = 0, string? unit = null) =>
        value is { } v ? v.ToString("N" + decimals, C) + (unit is null ? "" : " " + unit) : Missing;
    public static string Minutes(double? minutes) => Number(minutes, 1, "min");
    public static string Signed(double? ratio) => ratio is { } r ? (r >= 0 ? "+" : "") + (r * 100).ToString("F1", C) + " %" : Missing;
    public static string Count(int? value) => value is { } v ? v.ToString(C) : Missing;
    public static string Duration(TimeSpan? t) => t is { } d ? Number(d.TotalMinutes, 1, "min") : Missing;

    public static string Status(KpiLight light) => light switch
    {
        KpiLight.Green => "on target",
        KpiLight.Amber => "near target",
        KpiLight.Red => "off target",
        KpiLight.Missing => "no data",
        _ => "",
    };

    /// <summary>
    /// Green when the value meets the target, amber when it misses by at most <paramref name="amberBand"/> of the
    /// target (or of 1 for a target of 0), red beyond, missing without a value.
    /// </summary>
    public static KpiLight Light(double? value, double target, bool higherIsBetter, double amberBand)
    {
        if (value is not { } v)
            return KpiLight.Missing;
        var shortfall = higherIsBetter ? target - v : v - target;
        if (shortfall <= 1e-12)
            return KpiLight.Green;
        return shortfall <= amberBand * (target == 0 ? 1 : Math.Abs(target)) ? KpiLight.Amber : KpiLight.Red;
    }
}
