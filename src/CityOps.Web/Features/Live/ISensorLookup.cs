using CityOps.Web.Features.Assets;

namespace CityOps.Web.Features.Live;

/// <summary>The part of the sensor registry the live store reads; the running app uses <see cref="SensorCatalog"/>.</summary>
public interface ISensorLookup
{
    IReadOnlyCollection<SensorInfo> All { get; }

    bool TryGet(int id, out SensorInfo info);
}

internal sealed class SensorCatalogLookup(SensorCatalog catalog) : ISensorLookup
{
    public IReadOnlyCollection<SensorInfo> All => catalog.All;

    public bool TryGet(int id, out SensorInfo info) => catalog.TryGet(id, out info);
}
