using System.Diagnostics.Metrics;

namespace CityOps.Web.Features.Ingest;

/// <summary>The ingest path's instruments (meter <c>CityOps.Ingest</c>).</summary>
internal sealed class IngestMetrics
{
    public const string MeterName = "CityOps.Ingest";

    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _stored;
    private readonly Histogram<double> _storeLag;

    public IngestMetrics(IMeterFactory meterFactory, IngestQueue queue)
    {
        var meter = meterFactory.Create(MeterName);
        _accepted = meter.CreateCounter<long>("cityops.ingest.readings.accepted", "{reading}", "Readings durably stored.");
        _rejected = meter.CreateCounter<long>("cityops.ingest.readings.rejected", "{reading}", "Readings refused by validation.");
        _commitDuration = meter.CreateHistogram<double>("cityops.ingest.commit.duration", "s", "Time to write and commit one batch transaction.");
        _batchSize = meter.CreateHistogram<int>("cityops.ingest.batch.size", "{reading}", "Readings written per transaction.");
        _stored = meter.CreateCounter<long>("cityops.ingest.readings.stored", "{reading}",
            "Readings the rollup worker stored in the raw table (a re-sent reading stored before is not counted again).");
        _storeLag = meter.CreateHistogram<double>("cityops.ingest.store.lag", "s",
            "Per rollup pass, the age of the oldest delta it stored and merged: how far the raw table and the rollups trail the 202s.");
        meter.CreateObservableGauge("cityops.ingest.queue.depth", () => queue.Depth, "{reading}", "Readings waiting for the writer.");
    }

    public void Accepted(int count) => _accepted.Add(count);

    public void Rejected(int count)
    {
        if (count > 0)
        {
            _rejected.Add(count);
        }
    }

    public void Committed(TimeSpan duration, int readings)
    {
        _commitDuration.Record(duration.TotalSeconds);
        _batchSize.Record(readings);
    }

    public void Stored(long readings, TimeSpan oldestDeltaAge)
    {
        _stored.Add(readings);
        _storeLag.Record(Math.Max(0, oldestDeltaAge.TotalSeconds));
    }
}
