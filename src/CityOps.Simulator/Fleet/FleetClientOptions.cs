namespace CityOps.Simulator.Fleet;

public sealed class FleetClientOptions
{
    /// <summary>The CityOps base address; readings go to <c>{Target}/api/v1/readings</c>.</summary>
    public required Uri Target { get; init; }

    /// <summary>Sent as the <c>X-Api-Key</c> header.</summary>
    public required string ApiKey { get; init; }

    /// <summary>Readings per request, 1–10,000 (the server's limit).</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Send an <c>Idempotency-Key</c> with every batch (the same on its retries), so a retry is never stored twice.</summary>
    public bool UseIdempotencyKeys { get; init; } = true;

    /// <summary>Attempts after the first for 503, 429, 5xx and transport errors before the batch is counted as failed.</summary>
    public int MaxRetries { get; init; } = 8;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound for backoff and for an honoured <c>Retry-After</c>.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Keep every request's latency in the statistics.</summary>
    public bool RecordLatencies { get; init; } = true;

    internal void Validate()
    {
        if (!Target.IsAbsoluteUri || Target.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The target must be an absolute http(s) address, not '{Target}'.", nameof(Target));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(ApiKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BatchSize, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(Concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries);
    }
}

/// <summary>What a send achieved.</summary>
/// <param name="Accepted">Readings the server accepted.</param>
/// <param name="Rejected">Readings the server answered as rejected (unknown sensor, out of range, …).</param>
/// <param name="Failed">Readings in batches that could not be delivered (retries exhausted or a 4xx answer).</param>
/// <param name="Requests">HTTP requests made, retries included.</param>
/// <param name="Retries">Requests that were retries.</param>
/// <param name="Latencies">Each completed request's round-trip time, in completion order.</param>
/// <param name="RejectionReasons">Rejected readings counted by the server's reason (at most 100 distinct reasons).</param>
/// <param name="LastError">The last delivery failure, for the operator.</param>
public sealed record FleetStatistics(
    long Accepted, long Rejected, long Failed, long Requests, long Retries, TimeSpan Elapsed,
    IReadOnlyList<TimeSpan> Latencies, IReadOnlyDictionary<string, long> RejectionReasons, string? LastError)
{
    public long Sent => Accepted + Rejected + Failed;

    public double AcceptedPerSecond => Elapsed > TimeSpan.Zero ? Accepted / Elapsed.TotalSeconds : 0;

    /// <summary>The latency below which the given fraction (0–1) of requests completed.</summary>
    public TimeSpan LatencyPercentile(double fraction)
    {
        if (Latencies.Count == 0)
        {
            return TimeSpan.Zero;
        }
        var sorted = new TimeSpan[Latencies.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = Latencies[i];
        }
        Array.Sort(sorted);
        var index = (int)Math.Ceiling(Math.Clamp(fraction, 0, 1) * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}

/// <summary>The server refused the credentials; nothing sent with them can succeed.</summary>
public sealed class FleetAuthenticationException(string message) : Exception(message);
