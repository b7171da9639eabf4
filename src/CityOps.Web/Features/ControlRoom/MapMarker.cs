using CityOps.Web.Features.Live;

namespace CityOps.Web.Features.ControlRoom;

/// <summary>An asset on the control room map.</summary>
public sealed record MapMarker(int Id, string Key, string Name, double Latitude, double Longitude, LiveState State);

/// <summary>What the map's script receives for a marker: position, state name, its label and colour.</summary>
public sealed record MapMarkerData(int Id, string Name, double Latitude, double Longitude, string State, string Label, string Colour)
{
    public static MapMarkerData From(MapMarker m) =>
        new(m.Id, m.Name, m.Latitude, m.Longitude, LiveStateStyle.Name(m.State), LiveStateStyle.Label(m.State), LiveStateStyle.Colour(m.State));
}

/// <summary>Where the map opens and what it draws under the markers.</summary>
public sealed record MapView(double Latitude, double Longitude, int Zoom, string? BaseMapUrl);
