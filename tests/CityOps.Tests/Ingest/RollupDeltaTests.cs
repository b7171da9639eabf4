using CityOps.Web.Features.Ingest;

namespace CityOps.Tests.Ingest;

public sealed class RollupDeltaTests
{
    private static readonly DateTime Minute = new(2026, 11, 27, 12, 34, 0, DateTimeKind.Utc);

    private static readonly PendingReading[] Readings =
    [
        new(7, Minute.AddSeconds(50), 4.5),
        new(7, Minute.AddSeconds(5), -2),
        new(9, Minute.AddTicks(599_999_990), 1e300),
        new(7, Minute.AddMinutes(1).AddSeconds(1), 10),
        new(7, Minute.AddSeconds(20), 6),
        new(7, Minute.AddMinutes(26).AddSeconds(3), 1),
    ];

    private static byte[] Encoded(PendingReading[] readings)
    {
        var bytes = new byte[readings.Length * RollupDelta.BytesPerReading];
        for (var i = 0; i < readings.Length; i++)
        {
            RollupDelta.Encode(readings[i], bytes.AsSpan(i * RollupDelta.BytesPerReading));
        }
        return bytes;
    }

    private static RollupAccumulator Decoded(IReadOnlySet<long> skip)
    {
        var bytes = Encoded(Readings);
        var accumulator = new RollupAccumulator();
        Assert.Equal(Readings.Length - Readings.Count(r => skip.Contains(r.Timestamp.Ticks - r.Timestamp.Ticks % TimeSpan.TicksPerMinute)),
            RollupDelta.Decode(bytes, accumulator, skip));
        return accumulator;
    }

    [Fact]
    public void Decode_EncodedReadings_MinuteRowsAreTheAggregatesOfTheirReadingsWhateverTheirOrder()
    {
        var rows = Decoded(new HashSet<long>()).MinuteRows();

        Assert.Equal([7, 7, 7, 9], rows.SensorIds);
        Assert.Equal([Minute, Minute.AddMinutes(1), Minute.AddMinutes(26), Minute], rows.Buckets);
        Assert.Equal([3L, 1, 1, 1], rows.Counts);
        Assert.Equal(8.5, rows.Sums[0]);
        Assert.Equal(-2, rows.Mins[0]);
        Assert.Equal(6, rows.Maxes[0]);
        Assert.Equal(4.5 * 4.5 + 4 + 36, rows.SumSqs[0]);
        Assert.Equal((Minute.AddSeconds(5), -2.0), (rows.FirstTs[0], rows.FirstValues[0]));
        Assert.Equal((Minute.AddSeconds(50), 4.5), (rows.LastTs[0], rows.LastValues[0]));
        Assert.Equal(Minute.AddTicks(599_999_990), rows.LastTs[3]);
        Assert.Equal(1e300, rows.Maxes[3]);
    }

    [Fact]
    public void HourRows_MinutesOfOneHour_MergedIntoOneRowPerSensorAndHour()
    {
        var rows = Decoded(new HashSet<long>()).HourRows();
        var hour = new DateTime(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal([7, 7, 9], rows.SensorIds);
        Assert.Equal([hour, hour.AddHours(1), hour], rows.Buckets);
        Assert.Equal([4L, 1, 1], rows.Counts);
        Assert.Equal(18.5, rows.Sums[0]);
        Assert.Equal((-2.0, 10.0), (rows.Mins[0], rows.Maxes[0]));
        Assert.Equal((Minute.AddSeconds(5), -2.0), (rows.FirstTs[0], rows.FirstValues[0]));
        Assert.Equal((Minute.AddMinutes(1).AddSeconds(1), 10.0), (rows.LastTs[0], rows.LastValues[0]));
    }

    [Fact]
    public void Decode_MinutesToSkip_LeavesOutOnlyTheirReadings()
    {
        var accumulator = Decoded(new HashSet<long> { Minute.Ticks });
        var rows = accumulator.MinuteRows();

        Assert.Equal([7, 7], rows.SensorIds);
        Assert.Equal([Minute.AddMinutes(1), Minute.AddMinutes(26)], rows.Buckets);
        Assert.Equal([Minute.AddMinutes(1), Minute.AddMinutes(26)], accumulator.Minutes());
    }

    [Fact]
    public void DecodeTo_EncodedReadings_SameReadingsInTheSameOrder()
    {
        var bytes = Encoded(Readings);
        var decoded = new List<PendingReading>();

        RollupDelta.DecodeTo(bytes, decoded);

        Assert.Equal(Readings, decoded);
        Assert.All(decoded, r => Assert.Equal(DateTimeKind.Utc, r.Timestamp.Kind));
    }

    [Fact]
    public void Decode_DataNotAWholeNumberOfReadings_Refused()
    {
        Assert.Throws<InvalidDataException>(() => RollupDelta.Decode(new byte[RollupDelta.BytesPerReading + 1], new RollupAccumulator(), new HashSet<long>()));
    }

    [Fact]
    public void Merge_PartialsInAnyOrder_SameAsAddingEveryReadingToOne()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 200).Select(i => (Ticks: Minute.Ticks + i * 1_000_000L, Value: (double)random.Next(-50, 50))).ToArray();
        var whole = new RollupPartial();
        foreach (var (ticks, value) in values)
        {
            whole.Add(ticks, value);
        }
        var parts = values.OrderBy(_ => random.Next()).Chunk(17).Select(chunk =>
        {
            var part = new RollupPartial();
            foreach (var (ticks, value) in chunk)
            {
                part.Add(ticks, value);
            }
            return part;
        }).ToArray();
        var merged = new RollupPartial();
        merged.Merge(new RollupPartial());
        foreach (var part in parts.Reverse())
        {
            merged.Merge(part);
        }

        Assert.Equal(whole, merged);
        Assert.Equal((values[0].Ticks, values[0].Value), (merged.FirstTicks, merged.FirstValue));
        Assert.Equal((values[^1].Ticks, values[^1].Value), (merged.LastTicks, merged.LastValue));
    }
}
