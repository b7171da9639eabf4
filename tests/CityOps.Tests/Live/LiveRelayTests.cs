using CityOps.Web.Features.Ingest;
using CityOps.Web.Features.Live;

namespace CityOps.Tests.Live;

public class LiveRelayTests
{
    private static readonly CommittedReading[] Batch =
    [
        new(7, new DateTime(2026, 11, 27, 8, 0, 0, 250, DateTimeKind.Utc), 61.25),
        new(123_456, new DateTime(2026, 11, 27, 8, 0, 1, DateTimeKind.Utc).AddTicks(1), -0.000_001),
    ];

    [Fact]
    public void Decode_BatchOfAnotherNode_ReturnsTheSameReadings()
    {
        var bytes = LiveRelay.Encode(Batch, Guid.NewGuid());

        var readings = LiveRelay.Decode(bytes, self: Guid.NewGuid());

        Assert.Equal(Batch, readings);
        Assert.All(readings!, r => Assert.Equal(DateTimeKind.Utc, r.Timestamp.Kind));
    }

    [Fact]
    public void Decode_BatchThisNodeSent_IsIgnored()
    {
        var node = Guid.NewGuid();

        Assert.Null(LiveRelay.Decode(LiveRelay.Encode(Batch, node), node));
    }

    [Fact]
    public void Decode_TruncatedMessage_IsIgnored()
    {
        var bytes = LiveRelay.Encode(Batch, Guid.NewGuid());

        Assert.Null(LiveRelay.Decode(bytes.AsSpan(0, bytes.Length - 3), Guid.NewGuid()));
    }
}
