using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityOps.Analytics;
using CityOps.Web.Features.Demo;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

/// <summary>A command as it leaves CityOps.</summary>
/// <param name="IssuedAt">When it is handed to the channel.</param>
/// <param name="ExpiresAt">After this the command times out unless the device has reported it applied.</param>
public sealed record CommandMessage(
    long CommandId, string ActuatorKey, ActuatorKind Kind, double Value, string Unit, DateTime RequestedAt, string RequestedBy,
    DateTime IssuedAt, DateTime ExpiresAt);

/// <summary>Sent: handed over, the device reports later. Applied: the device applied it at once. Failed: not delivered.</summary>
public enum DeliveryState { Sent, Applied, Failed }

public sealed record Delivery(DeliveryState State, string? Error = null)
{
    public static Delivery Failed(string error) => new(DeliveryState.Failed, error);
}

/// <summary>Carries commands to equipment. Acknowledgements that come later go to <see cref="CommandService.ReportAsync"/>.</summary>
public interface ICommandChannel
{
    Task<Delivery> SendAsync(CommandMessage message, CancellationToken cancellationToken);
}

/// <summary>Demo mode: the digital twin is the equipment; it takes the setting at once.</summary>
internal sealed class DemoTwinChannel(DemoTwinHost host) : ICommandChannel
{
    public Task<Delivery> SendAsync(CommandMessage message, CancellationToken cancellationToken)
    {
        if (!host.IsRunning)
        {
            return Task.FromResult(Delivery.Failed("The demo twin has not started yet."));
        }
        try
        {
            host.Use(t =>
            {
                t.SetActuator(message.ActuatorKey, message.Value);
                return true;
            });
            return Task.FromResult(new Delivery(DeliveryState.Applied));
        }
        catch (ArgumentException e)
        {
            return Task.FromResult(Delivery.Failed(e.Message));
        }
    }
}

/// <summary>No equipment connected: commands are refused with a clear reason instead of pretending to be sent.</summary>
internal sealed class NoCommandChannel : ICommandChannel
{
    public Task<Delivery> SendAsync(CommandMessage message, CancellationToken cancellationToken) =>
        Task.FromResult(Delivery.Failed("No command channel is configured (Actions:Channel), so commands cannot reach equipment."));
}

/// <summary>
/// POSTs the command as JSON to the equipment gateway, signed with HMAC-SHA256 over the exact body bytes in
/// <c>X-CityOps-Signature: sha256=&lt;hex&gt;</c>. A 2xx answer means handed over; the gateway reports progress to
/// <c>POST /api/v1/commands/{id}/ack</c>.
/// </summary>
internal sealed class WebhookCommandChannel(HttpClient http, IOptions<ActionsOptions> options, ILogger<WebhookCommandChannel> logger) : ICommandChannel
{
    public const string SignatureHeader = "X-CityOps-Signature";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Delivery> SendAsync(CommandMessage message, CancellationToken cancellationToken)
    {
        var o = options.Value.Webhook;
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            message.CommandId,
            message.ActuatorKey,
            message.Value,
            message.Unit,
            message.RequestedAt,
            message.RequestedBy,
            AckPath = $"/api/v1/commands/{message.CommandId}/ack",
        }, Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SignatureHeader, Sign(body, o.Secret!));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return new Delivery(DeliveryState.Sent);
            }
            return Delivery.Failed($"The gateway refused the command: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Command {Id} could not be delivered to {Url}", message.CommandId, o.Url);
            return Delivery.Failed($"The gateway could not be reached: {e.Message}");
        }
    }

    /// <summary>"sha256=" and the lower-case hex HMAC-SHA256 of the body with the shared secret.</summary>
    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
