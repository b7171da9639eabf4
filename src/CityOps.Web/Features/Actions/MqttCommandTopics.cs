using System.Text.Json;
using System.Text.Json.Serialization;

namespace CityOps.Web.Features.Actions;

/// <summary>A device's report read from <c>&lt;prefix&gt;/&lt;actuator key&gt;/ack</c>.</summary>
public sealed record MqttCommandReport(string ActuatorKey, long CommandId, DeviceReportStatus Status, string? Error);

/// <summary>
/// The MQTT contract of the command channel: topics, the command payload, and the device's report payload
/// <c>{ "commandId": 42, "status": "acknowledged" | "applied" | "failed", "error": "…" }</c>.
/// </summary>
public static class MqttCommandTopics
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    public static bool IsValidPrefix(string? prefix) =>
        !string.IsNullOrWhiteSpace(prefix) && prefix.IndexOfAny(['+', '#']) < 0 && !prefix.StartsWith('/') && !prefix.EndsWith('/')
        && !prefix.Contains("//", StringComparison.Ordinal);

    /// <summary>An actuator key is one topic level: no '/', and no wildcard characters.</summary>
    public static bool IsValidActuatorKey(string key) => !string.IsNullOrEmpty(key) && key.IndexOfAny(['/', '+', '#']) < 0;

    public static string CommandTopic(string prefix, string actuatorKey) => $"{prefix}/{actuatorKey}/command";

    /// <summary>The subscription that receives every actuator's reports.</summary>
    public static string ReportFilter(string prefix) => $"{prefix}/+/ack";

    /// <summary>The command as JSON: <c>{ commandId, actuatorKey, kind, value, unit, issuedAt, expiresAt }</c> (times in UTC, ISO 8601).</summary>
    public static byte[] CommandPayload(CommandMessage m) => JsonSerializer.SerializeToUtf8Bytes(
        new CommandPayloadJson(m.CommandId, m.ActuatorKey, m.Kind.ToString(), m.Value, m.Unit, m.IssuedAt, m.ExpiresAt), Json);

    /// <summary>Reads a report. False with the reason when the topic is not a report topic under the prefix or the payload is not a report.</summary>
    public static bool TryParseReport(string prefix, string topic, ReadOnlySpan<byte> payload, out MqttCommandReport? report, out string? problem)
    {
        report = null;
        var head = prefix + "/";
        const string tail = "/ack";
        if (!topic.StartsWith(head, StringComparison.Ordinal) || !topic.EndsWith(tail, StringComparison.Ordinal) || topic.Length <= head.Length + tail.Length)
        {
            problem = $"'{topic}' is not a report topic ({ReportFilter(prefix)}).";
            return false;
        }
        var actuator = topic[head.Length..^tail.Length];
        if (!IsValidActuatorKey(actuator))
        {
            problem = $"'{topic}' does not name one actuator.";
            return false;
        }
        ReportJson? json;
        try
        {
            json = JsonSerializer.Deserialize<ReportJson>(payload, Json);
        }
        catch (JsonException e)
        {
            problem = $"The report on '{topic}' is not valid JSON: {e.Message}";
            return false;
        }
        if (json?.CommandId is not { } id || json.Status is not { } status || !Enum.IsDefined(status))
        {
            problem = $"The report on '{topic}' needs a commandId and a status (acknowledged, applied or failed).";
            return false;
        }
        report = new MqttCommandReport(actuator, id, status, json.Error);
        problem = null;
        return true;
    }

    private sealed record CommandPayloadJson(long CommandId, string ActuatorKey, string Kind, double Value, string Unit, DateTime IssuedAt, DateTime ExpiresAt);

    private sealed record ReportJson(long? CommandId, DeviceReportStatus? Status, string? Error);
}
