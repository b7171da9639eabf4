using System.Threading.Channels;

namespace CityOps.Web.Features.Ingest;

/// <summary>A validated request waiting for the writer; completed once its transaction has committed (or failed).</summary>
internal sealed class IngestWorkItem(IReadOnlyList<PendingReading> readings, IngestOutcome outcome, Guid apiKeyId, string? idempotencyKey)
{
    public IReadOnlyList<PendingReading> Readings { get; } = readings;
    public IngestOutcome Outcome { get; } = outcome;
    public Guid ApiKeyId { get; } = apiKeyId;
    public string? IdempotencyKey { get; } = idempotencyKey;

    /// <summary>Set by the writer when the Idempotency-Key was already answered: the stored answer, and nothing is written.</summary>
    public IngestOutcome? ReplayedOutcome { get; set; }

    /// <summary>What this item costs in queue capacity: its readings, and at least one so empty requests are bounded too.</summary>
    public int Weight => Math.Max(1, Readings.Count);

    public TaskCompletionSource<IngestOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// The queue between request handlers and the single writer, bounded by the number of readings it holds
/// (not by requests, which vary from one to ten thousand readings).
/// </summary>
internal sealed class IngestQueue(int capacity)
{
    private readonly Channel<IngestWorkItem> _channel = Channel.CreateUnbounded<IngestWorkItem>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private long _queued;

    /// <summary>Readings waiting for the writer.</summary>
    public long Depth => Interlocked.Read(ref _queued);

    public int Capacity { get; } = capacity;

    public bool TryEnqueue(IngestWorkItem item)
    {
        var weight = item.Weight;
        var after = Interlocked.Add(ref _queued, weight);
        if (after > Capacity && after != weight)
        {
            // Full. A single item larger than the whole capacity is still let through on an empty queue,
            // so a small configured capacity never blocks a legal request forever.
            Interlocked.Add(ref _queued, -weight);
            return false;
        }
        if (!_channel.Writer.TryWrite(item))
        {
            Interlocked.Add(ref _queued, -weight);
            return false;
        }
        return true;
    }

    public ValueTask<IngestWorkItem> ReadAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAsync(cancellationToken);

    public bool TryDequeue(out IngestWorkItem item)
    {
        if (_channel.Reader.TryRead(out item!))
        {
            Interlocked.Add(ref _queued, -item.Weight);
            return true;
        }
        return false;
    }

    /// <summary>Accounts for an item obtained through <see cref="ReadAsync"/>.</summary>
    public void Taken(IngestWorkItem item) => Interlocked.Add(ref _queued, -item.Weight);

    public void Complete() => _channel.Writer.TryComplete();
}
