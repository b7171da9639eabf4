using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Ingest;

/// <summary>Limits of the ingest path (configuration section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Most readings one request may carry.</summary>
    [Range(1, 1_000_000)]
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>Largest request body accepted, in bytes.</summary>
    [Range(1_024, 256 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Readings that may wait for the writer; beyond this, requests are answered 503.</summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>The writer coalesces queued requests into one transaction up to about this many readings.</summary>
    [Range(1, 1_000_000)]
    public int MaxReadingsPerTransaction { get; set; } = 50_000;

    /// <summary>How far in the future a timestamp may lie (clock skew of devices).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The Retry-After given to senders when the queue is full or the database is unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the writer waits for a database connection before declaring the database unavailable.</summary>
    [Range(1, 60)]
    public int ConnectTimeoutSeconds { get; set; } = 3;

    /// <summary>How long one write transaction's statements may run.</summary>
    [Range(1, 600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How often the rollup worker stores the committed readings in <c>readings</c> and merges them into the rollups
    /// (the raw table trails the 202 by about this much; raw reads include what is not stored yet), and how long a
    /// marked minute must have had no new marks before it is recomputed (a minute still being marked waits up to
    /// <see cref="RollupMaxLag"/>).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest a marked minute that keeps being marked waits for its recomputation: each recomputation rescans the
    /// minute's raw rows, so recomputing an open minute on every pass would cost quadratic work.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RollupMaxLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When the oldest committed delta still waiting for the rollup worker is older than this, <c>/health/ready</c>
    /// reports the ingest storage as degraded: the raw table and the rollups have fallen behind the 202s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StoreLagDegraded { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>While the database is unreachable, the writer checks it again this often.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>How long data is kept (configuration section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Days of raw readings kept; older readings are refused at ingest and their daily partitions dropped.</summary>
    [Range(1, 3650)]
    public int RawDays { get; set; } = 30;

    /// <summary>Days of 1-minute rollups kept (monthly partitions are dropped once wholly older). Hourly rollups are kept forever.</summary>
    [Range(1, 36500)]
    public int MinuteRollupDays { get; set; } = 365;

    /// <summary>How long the answer to a request with an Idempotency-Key is remembered.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Daily raw partitions created ahead of time.</summary>
    [Range(0, 60)]
    public int PartitionsAheadDays { get; set; } = 3;

    /// <summary>
    /// How long after its UTC day ends a raw partition is sealed (its per-sensor index built in bulk). Until then
    /// late readings for that day cost no per-sensor index upkeep; the next maintenance pass after it seals.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan SealAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the maintenance worker runs.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);
}
