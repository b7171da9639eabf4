using System.Text;
using System.Text.Json;
using CityOps.Analytics;
using CityOps.Web.Features.Actions;

namespace CityOps.Tests.Actions;

public sealed class MqttCommandTopicsTests
{
    private const string Prefix = "city/actuators";

    [Fact]
    public void CommandPayload_Command_CarriesIdActuatorKindValueUnitAndTimesInUtc()
    {
        var issued = new DateTime(2026, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        var message = new CommandMessage(42, "plant1.line1.speed", ActuatorKind.LineSpeed, 72.5, "%", issued.AddSeconds(-5), "op@example.org",
            issued, issued.AddMinutes(2));

        using var json = JsonDocument.Parse(MqttCommandTopics.CommandPayload(message));
        var root = json.RootElement;

        Assert.Equal(42, root.GetProperty("commandId").GetInt64());
        Assert.Equal("plant1.line1.speed", root.GetProperty("actuatorKey").GetString());
        Assert.Equal("LineSpeed", root.GetProperty("kind").GetString());
        Assert.Equal(72.5, root.GetProperty("value").GetDouble());
        Assert.Equal("%", root.GetProperty("unit").GetString());
        Assert.Equal("2026-03-01T08:00:00Z", root.GetProperty("issuedAt").GetString());
        Assert.Equal("2026-03-01T08:02:00Z", root.GetProperty("expiresAt").GetString());
        Assert.Equal("city/actuators/plant1.line1.speed/command", MqttCommandTopics.CommandTopic(Prefix, "plant1.line1.speed"));
        Assert.Equal("city/actuators/+/ack", MqttCommandTopics.ReportFilter(Prefix));
    }

    [Theory]
    [InlineData("""{ "commandId": 7, "status": "acknowledged" }""", DeviceReportStatus.Acknowledged, null)]
    [InlineData("""{ "commandId": 7, "status": "Applied" }""", DeviceReportStatus.Applied, null)]
    [InlineData("""{ "commandId": 7, "status": "failed", "error": "valve jammed" }""", DeviceReportStatus.Failed, "valve jammed")]
    public void TryParseReport_ValidReport_ReadsActuatorFromTopicAndStatusFromPayload(string payload, DeviceReportStatus status, string? error)
    {
        var ok = MqttCommandTopics.TryParseReport(Prefix, "city/actuators/water.z1.bypass/ack", Encoding.UTF8.GetBytes(payload), out var report, out var problem);

        Assert.True(ok, problem);
        Assert.Equal(new MqttCommandReport("water.z1.bypass", 7, status, error), report);
    }

    [Theory]
    [InlineData("other/actuators/x/ack", """{ "commandId": 7, "status": "applied" }""", "not a report topic")]
    [InlineData("city/actuators/x/command", """{ "commandId": 7, "status": "applied" }""", "not a report topic")]
    [InlineData("city/actuators/a/b/ack", """{ "commandId": 7, "status": "applied" }""", "does not name one actuator")]
    [InlineData("city/actuators/x/ack", "not json", "not valid JSON")]
    [InlineData("city/actuators/x/ack", """{ "status": "applied" }""", "needs a commandId and a status")]
    [InlineData("city/actuators/x/ack", """{ "commandId": 7, "status": "done" }""", "not valid JSON")]
    [InlineData("city/actuators/x/ack", """{ "commandId": 7, "status": 9 }""", "needs a commandId and a status")]
    public void TryParseReport_InvalidTopicOrPayload_RefusesWithTheReason(string topic, string payload, string reason)
    {
        var ok = MqttCommandTopics.TryParseReport(Prefix, topic, Encoding.UTF8.GetBytes(payload), out var report, out var problem);

        Assert.False(ok);
        Assert.Null(report);
        Assert.Contains(reason, problem);
    }

    [Theory]
    [InlineData("cityops/actuators", true)]
    [InlineData("cityops", true)]
    [InlineData("cityops/+/x", false)]
    [InlineData("cityops/#", false)]
    [InlineData("/cityops", false)]
    [InlineData("cityops/", false)]
    [InlineData("", false)]
    public void IsValidPrefix_Prefix_AcceptsOnlyPlainTopics(string prefix, bool valid) =>
        Assert.Equal(valid, MqttCommandTopics.IsValidPrefix(prefix));

    [Fact]
    public void Validate_MqttChannelWithoutHost_NamesTheMissingSetting()
    {
        var options = new ActionsOptions { Channel = CommandChannelKind.Mqtt, Mqtt = { Host = null, TopicPrefix = "a/#" } };

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();

        Assert.Contains(errors, e => e!.Contains("Actions:Mqtt:Host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e!.Contains("Actions:Mqtt:TopicPrefix", StringComparison.Ordinal));
    }
}
