using CityOps.Analytics;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Live;

namespace CityOps.Web.Tests.Fakes;

/// <summary>A sensor registry the test fills.</summary>
public sealed class FakeSensorLookup : ISensorLookup
{
    private readonly Dictionary<int, SensorInfo> _sensors = [];

    public IReadOnlyCollection<SensorInfo> All => _sensors.Values;

    public bool TryGet(int id, out SensorInfo info) => _sensors.TryGetValue(id, out info!);

    public FakeSensorLookup Add(int id, int siteId, double intervalSeconds = 5)
    {
        _sensors[id] = new SensorInfo(id, $"site{siteId}.sensor{id}", siteId, $"site{siteId}", siteId * 100, $"site{siteId}.asset",
            MetricKind.Temperature, "°C", -40, 120, intervalSeconds);
        return this;
    }

    public FakeSensorLookup Add(int id, int siteId, MetricKind metric, double min, double max, double intervalSeconds = 5)
    {
        _sensors[id] = new SensorInfo(id, $"site{siteId}.sensor{id}", siteId, $"site{siteId}", siteId * 100, $"site{siteId}.asset",
            metric, "u", min, max, intervalSeconds);
        return this;
    }
}

public sealed class FakeSiteDirectory(params SiteSummary[] sites) : ISiteDirectory
{
    public List<SiteSummary> Sites { get; } = [.. sites];

    public Task<IReadOnlyList<SiteSummary>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<SiteSummary>>(Sites.ToList());
}
