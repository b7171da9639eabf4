using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Actions;

/// <summary>Which way commands leave CityOps.</summary>
public enum CommandChannelKind
{
    /// <summary>Demo mode: the in-process digital twin applies the command and acknowledges at once.</summary>
    DemoTwin,
    /// <summary>An HTTP POST to <see cref="WebhookOptions.Url"/>; the device acknowledges through the API.</summary>
    Webhook,
    /// <summary>Commands are recorded and shown but never leave CityOps (no equipment connected).</summary>
    None,
    /// <summary>Published to an MQTT broker (<see cref="MqttCommandOptions"/>); the device acknowledges on an MQTT topic.</summary>
    Mqtt,
}

/// <summary>Suggested actions and commands (section <c>Actions</c>).</summary>
public sealed class ActionsOptions : IValidatableObject
{
    public const string Section = "Actions";

    /// <summary>How far ahead predicted effects look, and when the outcome check compares them with reality.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "06:00:00")]
    public TimeSpan Horizon { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a sent command may wait for the device to report it applied before it is timed out.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Alarms waiting for suggestions; beyond this the newest are dropped (and logged) rather than slowing the alert engine.</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Null picks <see cref="CommandChannelKind.DemoTwin"/> in demo mode and <see cref="CommandChannelKind.None"/> otherwise.</summary>
    public CommandChannelKind? Channel { get; set; }

    public WebhookOptions Webhook { get; set; } = new();

    public MqttCommandOptions Mqtt { get; set; } = new();

    /// <summary>The limits the playbooks keep the process within, and how uncertain the process model is for each.</summary>
    public PlaybookLimits Limits { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Channel == CommandChannelKind.Webhook && (Webhook.Url is null || string.IsNullOrEmpty(Webhook.Secret)))
        {
            yield return new ValidationResult("The webhook channel needs Actions:Webhook:Url and Actions:Webhook:Secret.", [nameof(Webhook)]);
        }
        if (Channel == CommandChannelKind.Mqtt)
        {
            foreach (var error in Mqtt.Validate())
            {
                yield return error;
            }
        }
    }
}

/// <summary>An HTTP endpoint of the equipment gateway that receives commands as signed JSON.</summary>
public sealed class WebhookOptions
{
    public Uri? Url { get; set; }

    /// <summary>Key of the HMAC-SHA256 signature sent in the <c>X-CityOps-Signature</c> header.</summary>
    public string? Secret { get; set; }
}

/// <summary>
/// The limit each playbook keeps its watched sensor within, with the standard deviation (sigma) of the process
/// model's error for that sensor over the horizon; sigma turns the margin to the limit into a confidence.
/// </summary>
public sealed class PlaybookLimits
{
    public double MotorTemperatureHigh { get; set; } = 90;
    public double MotorTemperatureSigma { get; set; } = 1.5;

    /// <summary>Minimum service pressure at a water zone's critical point, bar.</summary>
    public double ZonePressureLow { get; set; } = 3.0;
    public double ZonePressureSigma { get; set; } = 0.1;

    /// <summary>Detector occupancy above which an approach counts as congested, %.</summary>
    public double OccupancyHigh { get; set; } = 60;
    public double OccupancySigma { get; set; } = 4;

    /// <summary>Share of the predicted peak power that dimming should save.</summary>
    [Range(0.01, 0.9)]
    public double LightingSaving { get; set; } = 0.2;

    /// <summary>Street lighting is never dimmed below this level (road safety), %.</summary>
    public double LightingLevelFloor { get; set; } = 50;
    public double LightingPowerSigma { get; set; } = 0.3;
}
