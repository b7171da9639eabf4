using System.ComponentModel.DataAnnotations;

namespace CityOps.Web.Features.Actions;

/// <summary>The MQTT broker commands are published to (section <c>Actions:Mqtt</c>, used when <c>Actions:Channel</c> is <c>Mqtt</c>).</summary>
public sealed class MqttCommandOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 1883;

    public bool UseTls { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Must be unique per node: a broker disconnects the older of two clients with the same id.</summary>
    public string ClientId { get; set; } = $"cityops-{Environment.MachineName}";

    /// <summary>Commands go to <c>&lt;prefix&gt;/&lt;actuator key&gt;/command</c>, reports come from <c>&lt;prefix&gt;/&lt;actuator key&gt;/ack</c>.</summary>
    public string TopicPrefix { get; set; } = "cityops/actuators";

    /// <summary>Wait between connection attempts while the broker is away.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a publish may wait for the broker's PUBACK before the command fails; also the connect timeout.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal IEnumerable<ValidationResult> Validate()
    {
        string[] members = [$"{nameof(ActionsOptions.Mqtt)}"];
        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult("The MQTT channel needs Actions:Mqtt:Host.", members);
        }
        if (Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Actions:Mqtt:Port must be between 1 and 65535.", members);
        }
        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult("Actions:Mqtt:ClientId cannot be empty.", members);
        }
        if (!MqttCommandTopics.IsValidPrefix(TopicPrefix))
        {
            yield return new ValidationResult("Actions:Mqtt:TopicPrefix must be a topic without wildcards (+, #) that neither starts nor ends with '/'.", members);
        }
        if (ReconnectDelay < TimeSpan.FromMilliseconds(100) || ReconnectDelay > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult("Actions:Mqtt:ReconnectDelay must be between 100 ms and 10 minutes.", members);
        }
        if (PublishTimeout < TimeSpan.FromMilliseconds(100) || PublishTimeout > TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult("Actions:Mqtt:PublishTimeout must be between 100 ms and 1 minute.", members);
        }
        if (Username is null && Password is not null)
        {
            yield return new ValidationResult("Actions:Mqtt:Password is set without Actions:Mqtt:Username.", members);
        }
    }
}
