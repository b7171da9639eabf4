using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The readings of one write transaction as one <c>rollup_delta</c> row, written in that transaction: per reading the
/// sensor id, the UTC ticks and the value, little-endian, 20 bytes. <see cref="RollupWorker"/> merges them into the
/// rollups, so a reading's minute is not read back from <c>readings</c>.
/// </summary>
internal static class RollupDelta
{
    public const int BytesPerReading = 4 + 8 + 8;

    public static void Encode(in PendingReading reading, Span<byte> target)
    {
        BinaryPrimitives.WriteInt32LittleEndian(target, reading.SensorId);
        BinaryPrimitives.WriteInt64LittleEndian(target[4..], reading.Timestamp.Ticks);
        BinaryPrimitives.WriteDoubleLittleEndian(target[12..], reading.Value);
    }

    /// <summary>Appends every reading of <paramref name="data"/> to <paramref name="into"/>.</summary>
    public static void DecodeTo(ReadOnlySpan<byte> data, List<PendingReading> into)
    {
        CheckLength(data);
        for (var i = 0; i < data.Length; i += BytesPerReading)
        {
            var span = data.Slice(i, BytesPerReading);
            into.Add(new PendingReading(BinaryPrimitives.ReadInt32LittleEndian(span),
                new DateTime(BinaryPrimitives.ReadInt64LittleEndian(span[4..]), DateTimeKind.Utc), BinaryPrimitives.ReadDoubleLittleEndian(span[12..])));
        }
    }

    private static void CheckLength(ReadOnlySpan<byte> data)
    {
        if (data.Length % BytesPerReading != 0)
        {
            throw new InvalidDataException($"A rollup delta of {data.Length} bytes is not a whole number of readings.");
        }
    }

    /// <summary>Adds every reading of <paramref name="data"/> whose minute is not in <paramref name="skipMinutes"/> to <paramref name="into"/>; returns how many.</summary>
    public static int Decode(ReadOnlySpan<byte> data, RollupAccumulator into, IReadOnlySet<long> skipMinutes)
    {
        CheckLength(data);
        var added = 0;
        for (var i = 0; i < data.Length; i += BytesPerReading)
        {
            var span = data.Slice(i, BytesPerReading);
            if (into.AddUnlessSkipped(skipMinutes, BinaryPrimitives.ReadInt32LittleEndian(span), BinaryPrimitives.ReadInt64LittleEndian(span[4..]),
                    BinaryPrimitives.ReadDoubleLittleEndian(span[12..])))
            {
                added++;
            }
        }
        return added;
    }
}

/// <summary>
/// Count, sum, minimum, maximum, sum of squares, first and last (with their times) of some readings of one sensor in
/// one bucket: the rollup row's columns, mergeable in any order.
/// </summary>
internal struct RollupPartial
{
    public long Count;
    public double Sum;
    public double Min;
    public double Max;
    public double SumSq;
    public long FirstTicks;
    public double FirstValue;
    public long LastTicks;
    public double LastValue;

    public void Add(long ticks, double value) => Merge(new RollupPartial
    {
        Count = 1, Sum = value, Min = value, Max = value, SumSq = value * value,
        FirstTicks = ticks, FirstValue = value, LastTicks = ticks, LastValue = value,
    });

    public void Merge(in RollupPartial other)
    {
        if (other.Count == 0)
        {
            return;
        }
        if (Count == 0)
        {
            this = other;
            return;
        }
        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        SumSq += other.SumSq;
        if (other.FirstTicks < FirstTicks)
        {
            FirstTicks = other.FirstTicks;
            FirstValue = other.FirstValue;
        }
        if (other.LastTicks > LastTicks)
        {
            LastTicks = other.LastTicks;
            LastValue = other.LastValue;
        }
    }
}

/// <summary>Partial rollups per sensor and minute, and the same per sensor and hour, as parallel arrays for an upsert.</summary>
internal sealed class RollupAccumulator
{
    private readonly Dictionary<(int SensorId, long Bucket), RollupPartial> _minutes = [];

    public int Count => _minutes.Count;

    public void Add(int sensorId, long ticks, double value) =>
        CollectionsMarshal.GetValueRefOrAddDefault(_minutes, (sensorId, ticks - ticks % TimeSpan.TicksPerMinute), out _).Add(ticks, value);

    /// <summary>Adds the reading unless its minute is in <paramref name="skipMinutes"/> (minutes recomputed from the raw rows instead); true when added.</summary>
    public bool AddUnlessSkipped(IReadOnlySet<long> skipMinutes, int sensorId, long ticks, double value)
    {
        if (skipMinutes.Count > 0 && skipMinutes.Contains(ticks - ticks % TimeSpan.TicksPerMinute))
        {
            return false;
        }
        Add(sensorId, ticks, value);
        return true;
    }

    /// <summary>The distinct minutes, in order.</summary>
    public DateTime[] Minutes() =>
        _minutes.Keys.Select(k => k.Bucket).Distinct().Order().Select(m => new DateTime(m, DateTimeKind.Utc)).ToArray();

    public RollupRows MinuteRows() => RollupRows.From(_minutes);

    public RollupRows HourRows()
    {
        var hours = new Dictionary<(int SensorId, long Bucket), RollupPartial>();
        foreach (var ((sensor, minute), partial) in _minutes)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(hours, (sensor, minute - minute % TimeSpan.TicksPerHour), out _).Merge(partial);
        }
        return RollupRows.From(hours);
    }
}

/// <summary>Rollup rows as the column arrays of <c>unnest</c>, in (sensor, bucket) order.</summary>
internal sealed record RollupRows(
    int[] SensorIds, DateTime[] Buckets, long[] Counts, double[] Sums, double[] Mins, double[] Maxes, double[] SumSqs,
    DateTime[] FirstTs, double[] FirstValues, DateTime[] LastTs, double[] LastValues)
{
    public static RollupRows From(Dictionary<(int SensorId, long Bucket), RollupPartial> partials)
    {
        var keys = partials.Keys.ToArray();
        Array.Sort(keys);
        var n = keys.Length;
        var rows = new RollupRows(new int[n], new DateTime[n], new long[n], new double[n], new double[n], new double[n], new double[n],
            new DateTime[n], new double[n], new DateTime[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            var p = partials[keys[i]];
            rows.SensorIds[i] = keys[i].SensorId;
            rows.Buckets[i] = new DateTime(keys[i].Bucket, DateTimeKind.Utc);
            rows.Counts[i] = p.Count;
            rows.Sums[i] = p.Sum;
            rows.Mins[i] = p.Min;
            rows.Maxes[i] = p.Max;
            rows.SumSqs[i] = p.SumSq;
            rows.FirstTs[i] = new DateTime(p.FirstTicks, DateTimeKind.Utc);
            rows.FirstValues[i] = p.FirstValue;
            rows.LastTs[i] = new DateTime(p.LastTicks, DateTimeKind.Utc);
            rows.LastValues[i] = p.LastValue;
        }
        return rows;
    }
}
