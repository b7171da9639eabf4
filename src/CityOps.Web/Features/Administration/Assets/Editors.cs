using CityOps.Analytics;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>The messages of a refused input by field; the empty field holds messages about the input as a whole.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string> _messages;

    private FieldErrors(Dictionary<string, string> messages) => _messages = messages;

    public static readonly FieldErrors None = new([]);

    public static FieldErrors Of(IEnumerable<RegistryError> errors) =>
        new(errors.GroupBy(e => e.Field, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(e => e.Message)), StringComparer.OrdinalIgnoreCase));

    public bool Any => _messages.Count > 0;

    public bool Has(string field) => _messages.ContainsKey(field);

    public string? Text(string field) => _messages.GetValueOrDefault(field);

    /// <summary>Messages no field of the form shows (the whole input, or a field the form has no control for).</summary>
    public IEnumerable<string> Except(params string[] shown) =>
        _messages.Where(m => !shown.Contains(m.Key, StringComparer.OrdinalIgnoreCase)).Select(m => m.Value);
}

/// <summary>The form's copy of a site while it is edited.</summary>
public sealed class SiteEditor
{
    public string Key { get; set; } = "";
    public string Name { get; set; } = "";
    public SiteKind Kind { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public int Zoom { get; set; } = 12;
    public string TimeZone { get; set; } = "UTC";

    public SiteInput ToInput() => new(Key, Name, Kind, Latitude, Longitude, Zoom, TimeZone);

    public static SiteEditor From(SiteInput s) => new()
    {
        Key = s.Key, Name = s.Name, Kind = s.Kind, Latitude = s.Latitude, Longitude = s.Longitude, Zoom = s.Zoom, TimeZone = s.TimeZone,
    };
}

/// <summary>The form's copy of an asset while it is edited.</summary>
public sealed class AssetEditor
{
    public string Key { get; set; } = "";
    public string SiteKey { get; set; } = "";
    public string? ParentKey { get; set; }
    public string Name { get; set; } = "";
    public AssetType Type { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }

    public AssetInput ToInput() => new(Key, SiteKey, ParentKey, Name, Type, Latitude, Longitude);

    public static AssetEditor From(AssetInput a) => new()
    {
        Key = a.Key, SiteKey = a.SiteKey, ParentKey = a.ParentKey, Name = a.Name, Type = a.Type, Latitude = a.Latitude, Longitude = a.Longitude,
    };
}

/// <summary>The dialog's copy of a sensor while it is edited.</summary>
public sealed class SensorEditor
{
    public string Key { get; set; } = "";
    public string AssetKey { get; set; } = "";
    public MetricKind Metric { get; set; }
    public string Unit { get; set; } = "";
    public double Min { get; set; }
    public double Max { get; set; } = 100;
    public double IntervalSeconds { get; set; } = 60;
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }

    public SensorInput ToInput() => new(Key, AssetKey, Metric, Unit, Min, Max, IntervalSeconds, Latitude, Longitude);

    public static SensorEditor From(SensorInput s) => new()
    {
        Key = s.Key, AssetKey = s.AssetKey, Metric = s.Metric, Unit = s.Unit, Min = s.Min, Max = s.Max, IntervalSeconds = s.IntervalSeconds,
        Latitude = s.Latitude, Longitude = s.Longitude,
    };
}

/// <summary>The dialog's copy of an actuator while it is edited.</summary>
public sealed class ActuatorEditor
{
    public string Key { get; set; } = "";
    public string AssetKey { get; set; } = "";
    public ActuatorKind Kind { get; set; }
    public string Unit { get; set; } = "";
    public double Min { get; set; }
    public double Max { get; set; } = 100;

    public ActuatorInput ToInput() => new(Key, AssetKey, Kind, Unit, Min, Max);

    public static ActuatorEditor From(ActuatorInput a) => new() { Key = a.Key, AssetKey = a.AssetKey, Kind = a.Kind, Unit = a.Unit, Min = a.Min, Max = a.Max };
}

/// <summary>Saves an input and answers the reasons it was refused (empty when saved).</summary>
public delegate Task<IReadOnlyList<RegistryError>> SaveHandler<in T>(T input);
