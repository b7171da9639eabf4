namespace CityOps.Web.Features.Ingest;

/// <summary>One reading as a gateway (or the in-process demo) submits it.</summary>
public sealed record ReadingInput(string Sensor, DateTimeOffset Timestamp, double Value, string? Unit = null);

/// <summary>Why the item at <see cref="Index"/> of a batch was not stored.</summary>
public sealed record IngestRejection(int Index, string Reason);

/// <summary>The answer to a batch: how many readings are durably stored and which items were refused.</summary>
public sealed record IngestOutcome(int Accepted, IReadOnlyList<IngestRejection> Rejected);

/// <summary>The batch was not taken: the queue is full or the database is unreachable. Retry after <see cref="RetryAfter"/>.</summary>
public sealed class IngestUnavailableException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A validated reading on its way to the database (timestamp in UTC, truncated to microseconds).</summary>
internal readonly record struct PendingReading(int SensorId, DateTime Timestamp, double Value);
