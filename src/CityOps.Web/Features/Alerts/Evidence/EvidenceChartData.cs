using System.Runtime.InteropServices;
using CityOps.Web.Features.SensorDetail;

namespace CityOps.Web.Features.Alerts.Evidence;

/// <summary>One column of the evidence chart: how trend-chart.js draws it (kind, and the y scale: "y" or "score").</summary>
public sealed record EvidenceColumn(string Label, string Kind, string Scale, double[] Values);

/// <summary>Two columns to fill between (the forecast interval, the model's normal band); indexes count the time column as 0.</summary>
public sealed record EvidenceBand(int Upper, int Lower, string Kind);

/// <summary>
/// <see cref="AlarmEvidence"/> laid out for uPlot: one time axis (Unix seconds) shared by every column, NaN where a
/// column has no value at a time. Packed like <see cref="TrendSeries.Pack"/>.
/// </summary>
public sealed class EvidenceChartData
{
    private EvidenceChartData(double[] times, List<EvidenceColumn> columns, List<EvidenceBand> bands)
    {
        Times = times;
        Columns = columns;
        Bands = bands;
    }

    public double[] Times { get; }

    public IReadOnlyList<EvidenceColumn> Columns { get; }

    public IReadOnlyList<EvidenceBand> Bands { get; }

    public static EvidenceChartData From(AlarmEvidence e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var cone = e.Forecast?.Points ?? [];
        var banded = e.Scores.Any(s => s.Low is not null);
        var times = e.Readings.Select(r => T(r.At))
            .Concat(cone.Select(p => T(p.At)))
            .Concat(e.Scores.Select(s => T(s.At)))
            .Append(T(e.From)).Append(T(e.To))
            .Distinct().Order().ToArray();
        var index = new Dictionary<double, int>(times.Length);
        for (var i = 0; i < times.Length; i++)
        {
            index[times[i]] = i;
        }
        double[] Column<TItem>(IEnumerable<TItem> items, Func<TItem, DateTime> at, Func<TItem, double?> value)
        {
            var column = new double[times.Length];
            Array.Fill(column, double.NaN);
            foreach (var item in items)
            {
                column[index[T(at(item))]] = value(item) ?? double.NaN;
            }
            return column;
        }
        var columns = new List<EvidenceColumn>();
        var bands = new List<EvidenceBand>();
        if (e.Readings.Count > 0)
        {
            columns.Add(new EvidenceColumn("Reading", "value", "y", Column(e.Readings, r => r.At, r => r.Value)));
        }
        foreach (var line in e.Lines)
        {
            var constant = new double[times.Length];
            Array.Fill(constant, line.Value);
            columns.Add(new EvidenceColumn(line.Label, LineKind(line.Kind), "y", constant));
        }
        if (cone.Count > 0)
        {
            columns.Add(new EvidenceColumn("Forecast", "forecast", "y", Column(cone, p => p.At, p => p.Value)));
            columns.Add(new EvidenceColumn("Forecast interval, upper", "cone", "y", Column(cone, p => p.At, p => p.High)));
            columns.Add(new EvidenceColumn("Forecast interval, lower", "cone", "y", Column(cone, p => p.At, p => p.Low)));
            bands.Add(new EvidenceBand(columns.Count - 1, columns.Count, "cone"));
        }
        if (banded)
        {
            columns.Add(new EvidenceColumn("Expected", "expected", "y", Column(e.Scores, s => s.At, s => s.Expected)));
            columns.Add(new EvidenceColumn("Normal band, upper", "band", "y", Column(e.Scores, s => s.At, s => s.High)));
            columns.Add(new EvidenceColumn("Normal band, lower", "band", "y", Column(e.Scores, s => s.At, s => s.Low)));
            bands.Add(new EvidenceBand(columns.Count - 1, columns.Count, "band"));
        }
        if (e.Scores.Count > 0)
        {
            // Without readings (a multivariate alarm) the score is the only series and takes the main axis.
            columns.Add(new EvidenceColumn("Anomaly score", "score", e.Readings.Count > 0 ? "score" : "y", Column(e.Scores, s => s.At, s => s.Score)));
        }
        if (e.Triggers.Count > 0)
        {
            columns.Add(new EvidenceColumn("Triggering", "trigger", "y",
                Column(e.Triggers.Where(t => index.ContainsKey(T(t.At))), t => t.At, t => t.Value)));
        }
        return new EvidenceChartData(times, columns, bands);
    }

    /// <summary>Count, number of columns, the times, then each column, as little-endian float64s.</summary>
    public byte[] Pack()
    {
        var n = Times.Length;
        var all = new double[2 + (Columns.Count + 1) * n];
        all[0] = n;
        all[1] = Columns.Count;
        Times.CopyTo(all, 2);
        for (var c = 0; c < Columns.Count; c++)
        {
            Columns[c].Values.CopyTo(all, 2 + (c + 1) * n);
        }
        return MemoryMarshal.AsBytes(all.AsSpan()).ToArray();
    }

    private static double T(DateTime at) => TrendSeries.ToUnixSeconds(at);

    private static string LineKind(EvidenceLineKind kind) => kind switch
    {
        EvidenceLineKind.High or EvidenceLineKind.Low => "limit",
        EvidenceLineKind.Deadband => "deadband",
        EvidenceLineKind.Centre => "centre",
        EvidenceLineKind.ControlLimit => "control",
        _ => "valid",
    };
}
