namespace CityOps.Web.Features.ControlRoom;

/// <summary>
/// The control room map. By default only the offline base map CityOps serves is drawn; a real deployment
/// may add its own tile server (nothing is loaded from the internet unless configured here).
/// </summary>
public sealed class MapOptions
{
    public const string Section = "Map";

    /// <summary>A Leaflet tile URL template such as <c>https://tiles.example/{z}/{x}/{y}.png</c>; empty for none.</summary>
    public string TileUrl { get; set; } = "";

    /// <summary>The attribution the tile provider requires, shown on the map.</summary>
    public string TileAttribution { get; set; } = "";
}
