using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.Simulator;
using CityOps.Simulator.Fleet;

namespace CityOps.Tests.Simulator;

public sealed class FleetClientTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);

    /// <summary>An in-memory CityOps ingest endpoint: records requests and answers from a script, then 202.</summary>
    private sealed class FakeIngest(params Func<HttpRequestMessage, HttpResponseMessage?>[] script) : HttpMessageHandler
    {
        private int _calls;

        public ConcurrentQueue<(HttpRequestMessage Request, JsonElement[] Items)> Requests { get; } = new();

        public Func<JsonElement[], IEnumerable<(int Index, string Reason)>> Reject { get; init; } = _ => [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var items = JsonSerializer.Deserialize<JsonElement[]>(body)!;
            Requests.Enqueue((request, items));
            var call = Interlocked.Increment(ref _calls) - 1;
            if (call < script.Length && script[call](request) is { } scripted)
            {
                return scripted;
            }
            var rejected = Reject(items).Select(r => new { index = r.Index, reason = r.Reason }).ToArray();
            var answer = JsonSerializer.Serialize(new { accepted = items.Length - rejected.Length, rejected });
            return new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }

    private static FleetClient Client(HttpMessageHandler handler, TimeProvider? time = null, int batch = 1000, int concurrency = 4) =>
        new(new FleetClientOptions { Target = new Uri("http://cityops.test/"), ApiKey = "key-123", BatchSize = batch, Concurrency = concurrency }, handler, time);

    private static List<SimReading> Readings(int count) =>
        Enumerable.Range(0, count).Select(i => new SimReading($"bench.s{i % 7:D5}", Start.AddMilliseconds(i), i * 0.5)).ToList();

    [Fact]
    public async Task SendAsync_MoreReadingsThanABatch_SendsEveryReadingOnceInBatchesOfTheConfiguredSize()
    {
        var ingest = new FakeIngest();
        using var client = Client(ingest, batch: 1000);
        var readings = Readings(2500);

        var stats = await client.SendAsync(readings, TestContext.Current.CancellationToken);

        Assert.Equal(2500, stats.Accepted);
        Assert.Equal(3, stats.Requests);
        Assert.Equal([500, 1000, 1000], ingest.Requests.Select(r => r.Items.Length).Order());
        var received = ingest.Requests.SelectMany(r => r.Items).Select(i => i.GetProperty("value").GetDouble()).Order().ToList();
        Assert.Equal(readings.Select(r => r.Value).Order(), received);
        Assert.Equal(3, stats.Latencies.Count);
    }

    [Fact]
    public async Task SendAsync_EachBatch_CarriesApiKeyJsonAndItsOwnIdempotencyKey()
    {
        var ingest = new FakeIngest();
        using var client = Client(ingest, batch: 10);

        await client.SendAsync(Readings(50), TestContext.Current.CancellationToken);

        var requests = ingest.Requests.Select(r => r.Request).ToList();
        Assert.Equal(5, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(HttpMethod.Post, r.Method);
            Assert.Equal("http://cityops.test/api/v1/readings", r.RequestUri!.ToString());
            Assert.Equal("key-123", Assert.Single(r.Headers.GetValues("X-Api-Key")));
            Assert.Equal("application/json", r.Content!.Headers.ContentType!.MediaType);
        });
        var keys = requests.Select(r => Assert.Single(r.Headers.GetValues("Idempotency-Key"))).ToList();
        Assert.Equal(5, keys.Distinct().Count());
    }

    [Fact]
    public async Task SendAsync_Always_WritesTheWireFormatWithUtcTimestamps()
    {
        var ingest = new FakeIngest();
        using var client = Client(ingest);

        await client.SendAsync([new SimReading("city.market.x1.speed", new DateTimeOffset(2026, 11, 27, 11, 0, 0, 123, TimeSpan.FromHours(1)), 42.5)],
            TestContext.Current.CancellationToken);

        var item = Assert.Single(Assert.Single(ingest.Requests).Items);
        Assert.Equal("city.market.x1.speed", item.GetProperty("sensor").GetString());
        Assert.Equal("2026-11-27T10:00:00.123Z", item.GetProperty("ts").GetString());
        Assert.Equal(42.5, item.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task SendAsync_ServiceUnavailable_RetriesTheSameBatchAfterRetryAfter()
    {
        var ingest = new FakeIngest(_ =>
        {
            var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return busy;
        });
        var clock = new JumpingClock(Start);
        using var client = Client(ingest, clock, concurrency: 1);

        var stats = await client.SendAsync(Readings(20), TestContext.Current.CancellationToken);

        Assert.Equal(20, stats.Accepted);
        Assert.Equal(0, stats.Failed);
        Assert.Equal(2, stats.Requests);
        Assert.Equal(1, stats.Retries);
        Assert.Contains(TimeSpan.FromSeconds(7), clock.Waits);
        var keys = ingest.Requests.Select(r => Assert.Single(r.Request.Headers.GetValues("Idempotency-Key"))).ToList();
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(ingest.Requests.First().Items.Select(i => i.GetRawText()), ingest.Requests.Last().Items.Select(i => i.GetRawText()));
    }

    [Fact]
    public async Task SendAsync_TransportErrors_RetriesWithGrowingBackoff()
    {
        var ingest = new FakeIngest(_ => throw new HttpRequestException("connection refused"), _ => throw new HttpRequestException("connection refused"));
        var clock = new JumpingClock(Start);
        using var client = Client(ingest, clock, concurrency: 1);

        var stats = await client.SendAsync(Readings(5), TestContext.Current.CancellationToken);

        Assert.Equal(5, stats.Accepted);
        Assert.Equal(2, stats.Retries);
        var waits = clock.Waits.ToList();
        Assert.Equal(2, waits.Count);
        Assert.InRange(waits[0], TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200));
        Assert.InRange(waits[1], TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400));
    }

    [Fact]
    public async Task SendAsync_ServerKeepsFailing_GivesUpAndCountsTheBatchAsFailed()
    {
        var down = Enumerable.Repeat<Func<HttpRequestMessage, HttpResponseMessage?>>(_ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable), 20).ToArray();
        var ingest = new FakeIngest(down);
        using var client = new FleetClient(new FleetClientOptions
        {
            Target = new Uri("http://cityops.test"), ApiKey = "k", Concurrency = 1, MaxRetries = 2,
        }, ingest, new JumpingClock(Start));

        var stats = await client.SendAsync(Readings(5), TestContext.Current.CancellationToken);

        Assert.Equal(0, stats.Accepted);
        Assert.Equal(5, stats.Failed);
        Assert.Equal(3, stats.Requests);
        Assert.Contains("503", stats.LastError);
    }

    [Fact]
    public async Task SendAsync_ServerRejectsSomeReadings_CountsThemByReason()
    {
        var ingest = new FakeIngest { Reject = items => items.Select((_, i) => i).Where(i => i % 4 == 0).Select(i => (i, "unknown sensor")) };
        using var client = Client(ingest, batch: 100);

        var stats = await client.SendAsync(Readings(400), TestContext.Current.CancellationToken);

        Assert.Equal(300, stats.Accepted);
        Assert.Equal(100, stats.Rejected);
        Assert.Equal(100, stats.RejectionReasons["unknown sensor"]);
    }

    [Fact]
    public async Task SendAsync_Unauthorized_ThrowsWithoutRetrying()
    {
        var ingest = new FakeIngest(_ => new HttpResponseMessage(HttpStatusCode.Unauthorized));
        using var client = Client(ingest, concurrency: 1);

        await Assert.ThrowsAsync<FleetAuthenticationException>(() => client.SendAsync(Readings(5), TestContext.Current.CancellationToken));
        Assert.Single(ingest.Requests);
    }

    [Fact]
    public async Task SendAsync_BadRequest_CountsTheBatchAsFailedWithTheProblemTitleAndGoesOn()
    {
        var ingest = new FakeIngest(_ => new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("""{"title":"Too many readings","status":400}""", Encoding.UTF8, "application/problem+json"),
        });
        using var client = Client(ingest, batch: 10, concurrency: 1);

        var stats = await client.SendAsync(Readings(30), TestContext.Current.CancellationToken);

        Assert.Equal(10, stats.Failed);
        Assert.Equal(20, stats.Accepted);
        Assert.Contains("Too many readings", stats.LastError);
    }

    [Fact]
    public async Task SendAsync_SyntheticSource_DeliversExactlyTheRequestedCount()
    {
        var ingest = new FakeIngest();
        using var client = Client(ingest, batch: 777, concurrency: 3);
        var fleet = SyntheticFleet.Create(50, 1);

        var stats = await client.SendAsync(SyntheticFleet.Readings(fleet, 10_000, Start, 1), TestContext.Current.CancellationToken);

        Assert.Equal(10_000, stats.Accepted);
        var pairs = ingest.Requests.SelectMany(r => r.Items).Select(i => (i.GetProperty("sensor").GetString(), i.GetProperty("ts").GetString())).ToList();
        Assert.Equal(10_000, pairs.Distinct().Count());
    }
}
