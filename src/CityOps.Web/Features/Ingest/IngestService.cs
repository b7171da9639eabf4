using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// Accepts batches of readings: validates each item, queues the good ones for the writer, and answers
/// once they are durably committed. Used by the HTTP endpoint and by in-process sources (demo mode).
/// </summary>
public sealed class IngestService
{
    private readonly ReadingValidator _validator;
    private readonly IngestQueue _queue;
    private readonly IngestWriter _writer;
    private readonly IngestMetrics _metrics;
    private readonly IOptionsMonitor<IngestOptions> _options;

    internal IngestService(
        ReadingValidator validator, IngestQueue queue, IngestWriter writer, IngestMetrics metrics, IOptionsMonitor<IngestOptions> options)
    {
        _validator = validator;
        _queue = queue;
        _writer = writer;
        _metrics = metrics;
        _options = options;
    }

    /// <summary>
    /// Stores the valid items of <paramref name="items"/> and returns once they are committed.
    /// </summary>
    /// <param name="idempotencyKey">When given, a repeated submission with the same key (for the same API key) is answered like the first and stores nothing.</param>
    /// <exception cref="IngestUnavailableException">The queue is full or the database is unreachable; nothing was stored.</exception>
    /// <exception cref="ArgumentException">More items than <see cref="IngestOptions.MaxItemsPerRequest"/>.</exception>
    public Task<IngestOutcome> SubmitAsync(
        IReadOnlyList<ReadingInput> items, Guid apiKeyId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var max = _options.CurrentValue.MaxItemsPerRequest;
        if (items.Count > max)
        {
            throw new ArgumentException($"A batch may hold at most {max} readings; this one has {items.Count}.", nameof(items));
        }
        var validation = _validator.Begin(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item?.Sensor is null)
            {
                validation.Reject(i, "The item has no sensor key.");
                continue;
            }
            validation.Add(i, item.Sensor, item.Timestamp, item.Value, item.Unit);
        }
        return SubmitAsync(validation, apiKeyId, idempotencyKey, cancellationToken);
    }

    internal BatchValidation BeginBatch(int expectedItems) => _validator.Begin(expectedItems);

    internal async Task<IngestOutcome> SubmitAsync(
        BatchValidation validation, Guid apiKeyId, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var outcome = new IngestOutcome(validation.Accepted.Count, validation.Rejected);
        _metrics.Rejected(validation.Rejected.Count);
        if (validation.Accepted.Count == 0 && idempotencyKey is null)
        {
            return outcome;
        }
        var retryAfter = _options.CurrentValue.RetryAfter;
        if (!_writer.IsAvailable)
        {
            throw new IngestUnavailableException("The database is unavailable; retry later.", retryAfter);
        }
        var work = new IngestWorkItem(validation.Accepted, outcome, apiKeyId, idempotencyKey);
        if (!_queue.TryEnqueue(work))
        {
            throw new IngestUnavailableException("The ingest queue is full; retry later.", retryAfter);
        }
        // The caller may stop waiting; the readings are written regardless, and a retry is deduplicated.
        return await work.Completion.Task.WaitAsync(cancellationToken);
    }
}
