using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Ingest;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>
/// The sections administrators edit on <c>/admin/settings</c>. Each is stored whole as one row; its values override the
/// configured options of the same name (appsettings and environment give the defaults).
/// </summary>
public static class SettingsSections
{
    public const string Retention = "retention";
    public const string Ingest = "ingest";
    public const string Alarms = "alarms";
    public const string Notifications = "notifications";
    public const string Map = "map";

    public static readonly IReadOnlyList<string> All = [Retention, Ingest, Alarms, Notifications, Map];
}

/// <summary>How long data is kept (overrides <see cref="RetentionOptions"/>).</summary>
public sealed class RetentionSettings
{
    public int RawDays { get; set; }
    public int MinuteRollupDays { get; set; }

    public static RetentionSettings From(RetentionOptions o) => new() { RawDays = o.RawDays, MinuteRollupDays = o.MinuteRollupDays };

    public void ApplyTo(RetentionOptions o)
    {
        o.RawDays = RawDays;
        o.MinuteRollupDays = MinuteRollupDays;
    }

    /// <param name="ingest">The rollup lag it is checked against.</param>
    public IEnumerable<string> Validate(IngestOptions ingest)
    {
        if (RawDays is < 1 or > 3650)
        {
            yield return "Raw readings must be kept between 1 and 3650 days.";
        }
        else if (TimeSpan.FromDays(RawDays) < ingest.RollupMaxLag)
        {
            yield return $"Raw readings must be kept at least as long as the rollup lag ({ingest.RollupMaxLag}): rollups are computed from them.";
        }
        if (MinuteRollupDays is < 1 or > 36500)
        {
            yield return "1-minute rollups must be kept between 1 and 36500 days.";
        }
        else if (MinuteRollupDays < RawDays)
        {
            yield return $"1-minute rollups must be kept at least as long as raw readings ({RawDays} days): history charts fall back to them once raw readings are gone.";
        }
    }
}

/// <summary>Limits of the ingest path that apply per request (overrides <see cref="IngestOptions"/>).</summary>
public sealed class IngestSettings
{
    public int MaxItemsPerRequest { get; set; }
    public long MaxRequestBodyBytes { get; set; }
    public TimeSpan FutureTolerance { get; set; }

    public static IngestSettings From(IngestOptions o) =>
        new() { MaxItemsPerRequest = o.MaxItemsPerRequest, MaxRequestBodyBytes = o.MaxRequestBodyBytes, FutureTolerance = o.FutureTolerance };

    public void ApplyTo(IngestOptions o)
    {
        o.MaxItemsPerRequest = MaxItemsPerRequest;
        o.MaxRequestBodyBytes = MaxRequestBodyBytes;
        o.FutureTolerance = FutureTolerance;
    }

    public IEnumerable<string> Validate()
    {
        if (MaxItemsPerRequest is < 1 or > 1_000_000)
        {
            yield return "Readings per request must be between 1 and 1,000,000.";
        }
        if (MaxRequestBodyBytes is < 1_024 or > 256L * 1024 * 1024)
        {
            yield return "The largest request body must be between 1 KiB and 256 MiB.";
        }
        if (FutureTolerance < TimeSpan.Zero || FutureTolerance > TimeSpan.FromDays(1))
        {
            yield return "The future tolerance (device clock skew) must be between 0 and 1 day.";
        }
    }
}

/// <summary>Alarm-system thresholds of the engine (overrides <see cref="AlertOptions"/>).</summary>
public sealed class AlarmSettings
{
    public int FloodAlarms { get; set; }
    public TimeSpan FloodWindow { get; set; }
    public int ChatterCycles { get; set; }
    public TimeSpan ChatterWindow { get; set; }

    public static AlarmSettings From(AlertOptions o) =>
        new() { FloodAlarms = o.FloodAlarms, FloodWindow = o.FloodWindow, ChatterCycles = o.ChatterCycles, ChatterWindow = o.ChatterWindow };

    public void ApplyTo(AlertOptions o)
    {
        o.FloodAlarms = FloodAlarms;
        o.FloodWindow = FloodWindow;
        o.ChatterCycles = ChatterCycles;
        o.ChatterWindow = ChatterWindow;
    }

    public IEnumerable<string> Validate()
    {
        if (FloodAlarms is < 1 or > 100_000)
        {
            yield return "The flood threshold must be greater than 0 (EEMUA 191 suggests 10 alarms in 10 minutes) and at most 100,000.";
        }
        if (FloodWindow < TimeSpan.FromSeconds(1) || FloodWindow > TimeSpan.FromDays(1))
        {
            yield return "The flood window must be between 1 second and 1 day.";
        }
        if (ChatterCycles is < 2 or > 1000)
        {
            yield return "An alarm chatters after at least 2 raises (and at most 1000) within the chatter window.";
        }
        if (ChatterWindow < TimeSpan.FromSeconds(1) || ChatterWindow > TimeSpan.FromDays(1))
        {
            yield return "The chatter window must be between 1 second and 1 day.";
        }
    }
}

/// <summary>The control room's raster tiles (overrides <see cref="MapOptions"/>).</summary>
public sealed class MapSettings
{
    public string TileUrl { get; set; } = "";
    public string TileAttribution { get; set; } = "";

    public static MapSettings From(MapOptions o) => new() { TileUrl = o.TileUrl, TileAttribution = o.TileAttribution };

    public void ApplyTo(MapOptions o)
    {
        o.TileUrl = TileUrl;
        o.TileAttribution = TileAttribution;
    }

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(TileUrl))
        {
            // Empty means the offline base map only.
            yield break;
        }
        if (!Uri.TryCreate(TileUrl.Replace("{s}", "a").Replace("{z}", "0").Replace("{x}", "0").Replace("{y}", "0").Replace("{r}", ""), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
        {
            yield return "The tile URL must be an absolute http:// or https:// address.";
        }
        var missing = new[] { "{z}", "{x}", "{y}" }.Where(p => !TileUrl.Contains(p, StringComparison.Ordinal)).ToArray();
        if (missing.Length > 0)
        {
            yield return $"The tile URL must contain {{z}}, {{x}} and {{y}} (missing {string.Join(", ", missing)}), e.g. https://tiles.example/{{z}}/{{x}}/{{y}}.png.";
        }
        if (TileAttribution.Length > 500)
        {
            yield return "The attribution may be at most 500 characters.";
        }
    }
}
