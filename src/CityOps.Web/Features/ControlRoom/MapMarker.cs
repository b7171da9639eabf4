using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Live;

namespace CityOps.Web.Features.ControlRoom;

/// <summary>An asset on the control room map; <paramref name="Alarm"/> is the worst priority of its standing alarms, if any.</summary>
public sealed record MapMarker(int Id, string Key, string Name, double Latitude, double Longitude, LiveState State, AlarmPriority? Alarm = null);

/// <summary>What the map's script receives for a marker: position, state name, its label and colour, and its alarm's priority, shape and colour.</summary>
public sealed record MapMarkerData(
    int Id, string Name, double Latitude, double Longitude, string State, string Label, string Colour,
    string? Alarm = null, string? AlarmLabel = null, string? AlarmGlyph = null, string? AlarmColour = null)
{
    public static MapMarkerData From(MapMarker m) =>
        new(m.Id, m.Name, m.Latitude, m.Longitude, LiveStateStyle.Name(m.State), LiveStateStyle.Label(m.State), LiveStateStyle.Colour(m.State),
            m.Alarm is { } a ? AlarmStyle.Name(a) : null,
            m.Alarm is { } l ? AlarmStyle.Label(l) : null,
            m.Alarm is { } g ? AlarmStyle.Glyph(g) : null,
            m.Alarm is { } c ? AlarmStyle.Colour(c) : null);
}

/// <summary>Where the map opens and what it draws under the markers.</summary>
public sealed record MapView(double Latitude, double Longitude, int Zoom, string? BaseMapUrl);
