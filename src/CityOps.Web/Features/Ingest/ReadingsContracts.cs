namespace CityOps.Web.Features.Ingest;

/// <summary>A reading that is durably committed to the database.</summary>
public readonly record struct CommittedReading(int SensorId, DateTime Timestamp, double Value);

/// <summary>
/// Told about every batch of readings right after its transaction commits (the live store, the alert
/// engine), in commit order, by one loop beside the writer: implementations must be quick (the writer waits once
/// a few batches are waiting for them) and must not throw.
/// </summary>
public interface IReadingsObserver
{
    void OnCommitted(IReadOnlyList<CommittedReading> readings);
}
