using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Telemetry;

/// <summary>The telemetry hub's limits (configuration section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>How often the changed sensors' aggregates are sent to subscribers.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:00.100")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Sensors one connection may subscribe to (sites do not count against it).</summary>
    [Range(1, 1_000_000)]
    public int MaxSensorsPerConnection { get; set; } = 10_000;

    /// <summary>Sites one connection may subscribe to.</summary>
    [Range(1, 10_000)]
    public int MaxSitesPerConnection { get; set; } = 100;
}
