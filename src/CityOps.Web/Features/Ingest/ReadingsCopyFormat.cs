using System.Buffers.Binary;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// PostgreSQL's binary COPY format: a signature, flags and header extension length, then per row the field count
/// and each field as its length and its big-endian value, then -1. Written here rather than through
/// NpgsqlBinaryImporter, which resolves a converter for every value: the three fields are fixed and the encoding
/// is a few stores per row (and this loop runs for every reading CityOps takes in).
/// One instance per rollup worker: it reuses one buffer.
/// </summary>
internal sealed class ReadingsCopyFormat
{
    private const int CopyChunkBytes = 64 * 1024;
    private const int CopyRowBytes = 2 + (4 + 4) + (4 + 8) + (4 + 8);
    private static ReadOnlySpan<byte> CopySignature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    private readonly byte[] _buffer = new byte[CopyChunkBytes];

    /// <summary>Writes the rows and the end of the data; disposing the stream then completes the COPY.</summary>
    public async Task WriteAsync(NpgsqlRawCopyStream copy, List<PendingReading> rows, CancellationToken cancellationToken)
    {
        var buffer = _buffer;
        CopySignature.CopyTo(buffer);
        var n = CopySignature.Length;
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(n), 0);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(n + 4), 0);
        n += 8;
        foreach (var r in rows)
        {
            if (n + CopyRowBytes > buffer.Length)
            {
                await copy.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                n = 0;
            }
            n += WriteRow(buffer.AsSpan(n), r);
        }
        if (n + 2 > buffer.Length)
        {
            await copy.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            n = 0;
        }
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(n), -1);
        await copy.WriteAsync(buffer.AsMemory(0, n + 2), cancellationToken);
    }

    private static int WriteRow(Span<byte> span, PendingReading r)
    {
        BinaryPrimitives.WriteInt16BigEndian(span, 3);
        BinaryPrimitives.WriteInt32BigEndian(span[2..], 4);
        BinaryPrimitives.WriteInt32BigEndian(span[6..], r.SensorId);
        BinaryPrimitives.WriteInt32BigEndian(span[10..], 8);
        // Microseconds since 2000-01-01 UTC, truncating ticks as Npgsql does for timestamptz.
        BinaryPrimitives.WriteInt64BigEndian(span[14..], (r.Timestamp.Ticks - PostgresEpochTicks) / 10);
        BinaryPrimitives.WriteInt32BigEndian(span[22..], 8);
        BinaryPrimitives.WriteDoubleBigEndian(span[26..], r.Value);
        return CopyRowBytes;
    }
}
