using CityOps.Web.Features.SensorDetail;

namespace CityOps.Web.Features.Alerts;

/// <summary>Alarms as markers on a sensor's trend: one at the raise time and, once the condition cleared, one at the clear time.</summary>
public static class AlarmMarkers
{
    public static IReadOnlyList<TrendMarker> For(IEnumerable<AlarmView> alarms)
    {
        var markers = new List<TrendMarker>();
        foreach (var a in alarms.OrderBy(a => a.RaisedAt).ThenBy(a => a.Id))
        {
            var colour = AlarmStyle.Colour(a.Priority);
            markers.Add(new TrendMarker(TrendSeries.ToUnixSeconds(a.RaisedAt), $"{AlarmStyle.Glyph(a.Priority)} {AlarmStyle.Label(a.Priority)} raised", colour));
            if (a.ClearedAt is { } cleared)
            {
                markers.Add(new TrendMarker(TrendSeries.ToUnixSeconds(cleared), $"{AlarmStyle.Glyph(a.Priority)} cleared", colour));
            }
        }
        return markers;
    }
}
