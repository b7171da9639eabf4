using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Alerts;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>What a notification says; the same shape for a real alarm and for a "send test".</summary>
public sealed record AlarmNotification(
    string Kind, long? AlarmId, string Priority, string Rule, string Message, string SiteKey, string AssetKey, string? SensorKey,
    double? Value, string? Unit, DateTime RaisedAt)
{
    public static AlarmNotification For(AlarmView alarm) => new(
        "alarm.raised", alarm.Id, alarm.Priority.ToString(), alarm.RuleName, alarm.Message, alarm.SiteKey, alarm.AssetKey, alarm.SensorKey,
        alarm.Value, alarm.Unit, alarm.RaisedAt);

    public static AlarmNotification Test(DateTime at) => new(
        "test", null, nameof(AlarmPriority.Critical), "Test notification", "This is a test of the CityOps notification channel.",
        "", "", null, null, null, at);

    public string Subject => AlarmId is null ? "[CityOps] Test notification" : $"[CityOps] {Priority} alarm: {Message} ({AssetKey})";

    public string Text => AlarmId is null
        ? $"{Message}\nSent {RaisedAt:u}."
        : $"{Priority} alarm raised {RaisedAt:u}\nRule: {Rule}\n{Message}\nSite: {SiteKey}\nAsset: {AssetKey}\nSensor: {SensorKey}\n" +
          $"Value: {Value?.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)} {Unit}\nAlarm: /alarms/{AlarmId}";
}

/// <summary>The outcome of one delivery attempt, as "send test" shows it.</summary>
public sealed record DeliveryResult(bool Ok, string? Error)
{
    public static readonly DeliveryResult Success = new(true, null);
}

/// <summary>Sends one notification through one channel: SMTP e-mail (MailKit) or a signed JSON webhook.</summary>
public sealed class NotificationSender(HttpClient http, ILogger<NotificationSender> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task<DeliveryResult> SendEmailAsync(EmailChannelOptions email, AlarmNotification notification, CancellationToken cancellationToken)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(email.From));
        foreach (var to in email.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }
        message.Subject = notification.Subject;
        message.Body = new TextPart("plain") { Text = notification.Text };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var client = new SmtpClient { Timeout = (int)Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(email.Host, email.Port, Map(email.Security), timeout.Token);
            if (!string.IsNullOrEmpty(email.UserName))
            {
                await client.AuthenticateAsync(email.UserName, email.Password ?? "", timeout.Token);
            }
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            return DeliveryResult.Success;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "E-mail notification via {Host}:{Port} failed", email.Host, email.Port);
            return new DeliveryResult(false, e is OperationCanceledException
                ? $"The SMTP server {email.Host}:{email.Port} did not answer within {Timeout.TotalSeconds:0} s."
                : $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>POSTs the notification as JSON; with a secret, signed like command webhooks (<c>X-CityOps-Signature: sha256=…</c>).</summary>
    public async Task<DeliveryResult> SendWebhookAsync(WebhookChannelOptions webhook, AlarmNotification notification, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(notification, Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (!string.IsNullOrEmpty(webhook.Secret))
        {
            request.Headers.Add(WebhookCommandChannel.SignatureHeader, WebhookCommandChannel.Sign(body, webhook.Secret));
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode
                ? DeliveryResult.Success
                : new DeliveryResult(false, $"The webhook answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Webhook notification to {Url} failed", webhook.Url);
            return new DeliveryResult(false, e is OperationCanceledException
                ? $"The webhook did not answer within {Timeout.TotalSeconds:0} s."
                : $"The webhook could not be reached: {e.Message}");
        }
    }

    private static SecureSocketOptions Map(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}

/// <summary>
/// Sends every new Critical alarm to the configured channels. The engine only hands the alarm over (a bounded queue);
/// delivery, with its retries, runs here, so a slow mail server never holds up alarm handling.
/// </summary>
public sealed class CriticalAlarmNotifier(
    NotificationSender sender,
    IOptionsMonitor<NotificationOptions> options,
    TimeProvider time,
    ILogger<CriticalAlarmNotifier> logger) : BackgroundService, IAlarmRaisedHandler
{
    internal const int Attempts = 3;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);

    private readonly Channel<AlarmView> _queue = Channel.CreateBounded<AlarmView>(
        new BoundedChannelOptions(1000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });

    public void OnRaised(AlarmView alarm)
    {
        if (alarm.Priority != AlarmPriority.Critical)
        {
            return;
        }
        var channels = options.CurrentValue;
        if (!channels.Email.Enabled && !channels.Webhook.Enabled)
        {
            return;
        }
        if (!_queue.Writer.TryWrite(alarm))
        {
            logger.LogError("The notification queue is full; Critical alarm {Alarm} is not notified", alarm.Id);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var alarm in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            var channels = options.CurrentValue;
            var notification = AlarmNotification.For(alarm);
            if (channels.Email.Enabled)
            {
                await DeliverAsync("e-mail", alarm.Id, ct => sender.SendEmailAsync(channels.Email, notification, ct), stoppingToken);
            }
            if (channels.Webhook.Enabled)
            {
                await DeliverAsync("webhook", alarm.Id, ct => sender.SendWebhookAsync(channels.Webhook, notification, ct), stoppingToken);
            }
        }
    }

    private async Task DeliverAsync(string channel, long alarmId, Func<CancellationToken, Task<DeliveryResult>> send, CancellationToken ct)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var result = await send(ct);
            if (result.Ok)
            {
                logger.LogInformation("Critical alarm {Alarm} notified by {Channel}", alarmId, channel);
                return;
            }
            if (attempt == Attempts)
            {
                logger.LogError("Critical alarm {Alarm} could not be notified by {Channel} after {Attempts} attempts: {Error}", alarmId, channel, attempt, result.Error);
                return;
            }
            await Task.Delay(delay, time, ct);
            delay *= 2;
        }
    }
}
