using System.Text.RegularExpressions;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>
/// The checks an input must pass before it reaches the database, with messages that say what to do. The page runs
/// them as the administrator types; <see cref="AssetRegistry"/> runs them again (with the checks that need the
/// database) before saving, so every caller gets the same answer.
/// </summary>
public static partial class RegistryValidation
{
    public const int SiteKeyLength = 100;
    public const int KeyLength = 200;
    public const int NameLength = 200;
    public const int UnitLength = 20;

    public static IReadOnlyList<RegistryError> Site(SiteInput s)
    {
        var errors = new List<RegistryError>();
        Key(errors, "key", s.Key, SiteKeyLength);
        Name(errors, s.Name);
        Location(errors, s.Latitude, s.Longitude);
        if (s.Zoom is < 1 or > 19)
        {
            errors.Add(new("zoom", $"Zoom must be between 1 (the world) and 19 (a building), not {s.Zoom}."));
        }
        if (string.IsNullOrWhiteSpace(s.TimeZone))
        {
            errors.Add(new("timeZone", "A time zone is required, e.g. Europe/Berlin: shift times and daily KPIs use it."));
        }
        else if (!IsIanaTimeZone(s.TimeZone))
        {
            errors.Add(new("timeZone", $"'{s.TimeZone}' is not an IANA time zone id; use one such as Europe/Berlin or America/New_York."));
        }
        return errors;
    }

    public static IReadOnlyList<RegistryError> Asset(AssetInput a)
    {
        var errors = new List<RegistryError>();
        Key(errors, "key", a.Key, KeyLength);
        if (string.IsNullOrWhiteSpace(a.SiteKey))
        {
            errors.Add(new("siteKey", "Choose the site the asset belongs to."));
        }
        if (a.ParentKey is not null && a.ParentKey == a.Key)
        {
            errors.Add(new("parentKey", "An asset cannot be its own parent."));
        }
        Name(errors, a.Name);
        Location(errors, a.Latitude, a.Longitude);
        return errors;
    }

    public static IReadOnlyList<RegistryError> Sensor(SensorInput s)
    {
        var errors = new List<RegistryError>();
        Key(errors, "key", s.Key, KeyLength);
        if (string.IsNullOrWhiteSpace(s.AssetKey))
        {
            errors.Add(new("assetKey", "Choose the asset the sensor is mounted on."));
        }
        Unit(errors, s.Unit);
        Range(errors, s.Min, s.Max);
        if (!double.IsFinite(s.IntervalSeconds) || s.IntervalSeconds <= 0)
        {
            errors.Add(new("intervalSeconds", "The reporting interval must be more than 0 seconds: staleness and data quality are judged against it."));
        }
        if (s.Latitude.HasValue != s.Longitude.HasValue)
        {
            errors.Add(new(s.Latitude.HasValue ? "longitude" : "latitude", "Give both latitude and longitude, or neither (the sensor then shows at its asset)."));
        }
        else if (s.Latitude is { } lat && s.Longitude is { } lon)
        {
            Location(errors, lat, lon);
        }
        return errors;
    }

    public static IReadOnlyList<RegistryError> Actuator(ActuatorInput a)
    {
        var errors = new List<RegistryError>();
        Key(errors, "key", a.Key, KeyLength);
        if (string.IsNullOrWhiteSpace(a.AssetKey))
        {
            errors.Add(new("assetKey", "Choose the asset the actuator acts on."));
        }
        Unit(errors, a.Unit);
        Range(errors, a.Min, a.Max);
        return errors;
    }

    /// <summary>True for IANA ids only: Windows names such as "W. Europe Standard Time" resolve on some hosts but not others.</summary>
    public static bool IsIanaTimeZone(string id) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId;

    private static void Key(List<RegistryError> errors, string field, string? key, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.Add(new(field, "A key is required."));
        }
        else if (key.Length > maxLength)
        {
            errors.Add(new(field, $"A key may have at most {maxLength} characters; this one has {key.Length}."));
        }
        else if (!KeyPattern().IsMatch(key))
        {
            errors.Add(new(field,
                $"'{key}' is not a valid key: use lower-case letters and digits in parts joined by '.', '_' or '-' (e.g. plant1.line2.press3.motor_temp)."));
        }
    }

    private static void Name(List<RegistryError> errors, string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add(new("name", "A name is required: operators see it on every screen."));
        }
        else if (name.Length > NameLength)
        {
            errors.Add(new("name", $"A name may have at most {NameLength} characters."));
        }
    }

    private static void Unit(List<RegistryError> errors, string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            errors.Add(new("unit", "A unit is required (e.g. °C, bar, km/h, %): ingest converts and checks readings against it."));
        }
        else if (unit.Length > UnitLength)
        {
            errors.Add(new("unit", $"A unit may have at most {UnitLength} characters."));
        }
    }

    private static void Range(List<RegistryError> errors, double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            errors.Add(new(!double.IsFinite(min) ? "min" : "max", "Min and max must be finite numbers."));
        }
        else if (min >= max)
        {
            errors.Add(new("max", $"Max ({max}) must be greater than min ({min})."));
        }
    }

    private static void Location(List<RegistryError> errors, double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || latitude is < -90 or > 90)
        {
            errors.Add(new("latitude", $"Latitude must be between -90 and 90, not {latitude}."));
        }
        if (!double.IsFinite(longitude) || longitude is < -180 or > 180)
        {
            errors.Add(new("longitude", $"Longitude must be between -180 and 180, not {longitude}."));
        }
    }

    [GeneratedRegex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}
