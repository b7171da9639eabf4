using System.Runtime.InteropServices;

namespace CityOps.Web.Features.SensorDetail;

/// <summary>
/// A series as the trend charts draw it, column by column: timestamps in Unix seconds, the value and,
/// when known, each point's min/max band. NaN marks a gap.
/// </summary>
public sealed class TrendSeries
{
    public TrendSeries(double[] timestamps, double[] values, double[]? min = null, double[]? max = null)
    {
        if (values.Length != timestamps.Length || (min is not null && min.Length != timestamps.Length) || (max is not null && max.Length != timestamps.Length))
        {
            throw new ArgumentException("Every column of a series has one entry per timestamp.");
        }
        if ((min is null) != (max is null))
        {
            throw new ArgumentException("A band needs both its lower and its upper edge.");
        }
        Timestamps = timestamps;
        Values = values;
        Min = min;
        Max = max;
    }

    public static TrendSeries Empty { get; } = new([], []);

    public double[] Timestamps { get; }

    public double[] Values { get; }

    public double[]? Min { get; }

    public double[]? Max { get; }

    public int Count => Timestamps.Length;

    public bool HasBand => Min is not null;

    /// <summary>
    /// The series as little-endian float64s: count, number of value columns, then each column. The
    /// browser reads it as a typed array without parsing, which keeps 86,400-point series fast.
    /// </summary>
    public byte[] Pack(bool withBand)
    {
        var columns = withBand ? 3 : 1;
        var all = new double[2 + (columns + 1) * Count];
        all[0] = Count;
        all[1] = columns;
        Timestamps.CopyTo(all, 2);
        Values.CopyTo(all, 2 + Count);
        if (withBand)
        {
            (Min ?? Values).CopyTo(all, 2 + 2 * Count);
            (Max ?? Values).CopyTo(all, 2 + 3 * Count);
        }
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Trend series are packed little-endian, as browsers read them.");
        }
        return MemoryMarshal.AsBytes(all.AsSpan()).ToArray();
    }

    public static double ToUnixSeconds(DateTime utc) => (utc - DateTime.UnixEpoch).TotalSeconds;
}
