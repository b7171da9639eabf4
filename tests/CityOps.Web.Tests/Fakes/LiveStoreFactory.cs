using CityOps.Web.Features.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.Fakes;

public static class LiveStoreFactory
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public static LiveStore Create(ISensorLookup lookup, TimeProvider time, LiveOptions? options = null) =>
        new(lookup, Options.Create(options ?? new LiveOptions()), time, NullLogger<LiveStore>.Instance);

    public static FakeTimeProvider Clock() => new(Start);
}
