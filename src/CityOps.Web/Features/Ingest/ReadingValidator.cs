using System.Globalization;
using CityOps.Analytics.Units;
using CityOps.Web.Features.Assets;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The one implementation of the per-item rules of a batch. Both the HTTP parser and
/// <see cref="IngestService.SubmitAsync"/> feed items through a <see cref="BatchValidation"/>.
/// </summary>
internal sealed class ReadingValidator(
    SensorCatalog catalog, TimeProvider time, IOptionsMonitor<IngestOptions> ingest, IOptionsMonitor<RetentionOptions> retention)
{
    public BatchValidation Begin(int expectedItems)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new BatchValidation(catalog, now + ingest.CurrentValue.FutureTolerance, now.AddDays(-retention.CurrentValue.RawDays), expectedItems);
    }
}

/// <summary>The validation state of one batch: accepted readings, rejections, and the (sensor, ts) pairs seen so far.</summary>
internal sealed class BatchValidation(SensorCatalog catalog, DateTime latestAllowed, DateTime earliestAllowed, int expectedItems)
{
    private readonly HashSet<(int SensorId, long Ticks)> _seen = new(expectedItems);

    public List<PendingReading> Accepted { get; } = new(expectedItems);
    public List<IngestRejection> Rejected { get; } = [];

    public void Reject(int index, string reason) => Rejected.Add(new IngestRejection(index, reason));

    /// <summary>Checks one item and either accepts it (converted to the sensor's unit) or records why not.</summary>
    /// <param name="unit">The unit the device sent, or null/empty for "the sensor's unit".</param>
    public void Add(int index, ReadOnlySpan<char> sensorKey, DateTimeOffset timestamp, double value, ReadOnlySpan<char> unit)
    {
        if (!catalog.TryGet(sensorKey, out var sensor))
        {
            Reject(index, $"Unknown sensor '{Truncate(sensorKey)}'.");
            return;
        }
        if (!double.IsFinite(value))
        {
            Reject(index, $"Value {value.ToString(CultureInfo.InvariantCulture)} is not a finite number.");
            return;
        }
        if (!unit.IsEmpty && !unit.SequenceEqual(sensor.Unit))
        {
            var sent = unit.ToString();
            if (!UnitConverter.TryConvert(value, sent, sensor.Unit, out var converted, out var reason))
            {
                Reject(index, reason!);
                return;
            }
            value = converted;
        }
        if (value < sensor.Min || value > sensor.Max)
        {
            Reject(index, string.Create(CultureInfo.InvariantCulture,
                $"Value {value} {sensor.Unit} is outside the physical range of sensor '{sensor.Key}' ({sensor.Min} to {sensor.Max} {sensor.Unit})."));
            return;
        }
        var utc = timestamp.UtcDateTime;
        // PostgreSQL keeps microseconds; truncating here makes duplicates detectable before they reach it.
        utc = new DateTime(utc.Ticks - utc.Ticks % 10, DateTimeKind.Utc);
        if (utc > latestAllowed)
        {
            Reject(index, string.Create(CultureInfo.InvariantCulture,
                $"Timestamp {timestamp:O} is too far in the future (the latest accepted is {latestAllowed:O}); check the device clock."));
            return;
        }
        if (utc < earliestAllowed)
        {
            Reject(index, string.Create(CultureInfo.InvariantCulture,
                $"Timestamp {timestamp:O} is older than the raw-data retention (the earliest accepted is {earliestAllowed:O})."));
            return;
        }
        if (!_seen.Add((sensor.Id, utc.Ticks)))
        {
            Reject(index, string.Create(CultureInfo.InvariantCulture,
                $"Duplicate reading: sensor '{sensor.Key}' already has a reading at {timestamp:O} earlier in this batch."));
            return;
        }
        Accepted.Add(new PendingReading(sensor.Id, utc, value));
    }

    private static string Truncate(ReadOnlySpan<char> key) => key.Length <= 200 ? key.ToString() : string.Concat(key[..200], "…");
}
