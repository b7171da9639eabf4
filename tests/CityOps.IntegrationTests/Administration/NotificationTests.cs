using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Administration.Settings;
using CityOps.Web.Features.Alerts;
using Microsoft.Extensions.DependencyInjection;
using static CityOps.IntegrationTests.Administration.AdminTestKit;

namespace CityOps.IntegrationTests.Administration;

/// <summary>New Critical alarms by e-mail (MailKit to a local SMTP sink) and webhook (a local HTTP sink), and "send test".</summary>
public sealed class NotificationTests(PostgresFixture pg)
{
    private const string HookSecret = "hook-shared-secret";

    [Fact]
    public async Task OnRaised_CriticalAlarm_IsMailedAndPostedSignedButLowerPrioritiesAreNot()
    {
        await using var smtp = new SmtpSink();
        await using var hook = new WebhookSink();
        await using var app = App(await pg.CreateDatabaseAsync());
        await SaveChannelsAsync(app, smtp, hook);
        var notifier = app.Services.GetServices<IAlarmRaisedHandler>().OfType<CriticalAlarmNotifier>().Single();

        // One queue, in order: once the Critical alarm has arrived, the High one would have arrived before it.
        notifier.OnRaised(Alarm(501, AlarmPriority.High));
        notifier.OnRaised(Alarm(502, AlarmPriority.Critical));

        var mail = await smtp.WaitForMailAsync();
        var call = await hook.WaitForHookAsync();
        Assert.Single(smtp.Received);
        Assert.Single(hook.Received);
        Assert.Equal("cityops@example.org", mail.From);
        Assert.Equal(["duty@example.org", "chief@example.org"], mail.To);
        Assert.Contains("Subject: [CityOps] Critical alarm: Motor overheating (tplant.line1.press)", mail.Data);
        Assert.Contains("/alarms/502", mail.Data);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(HookSecret), call.Body)), call.Signature);
        Assert.StartsWith("application/json", call.ContentType);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("alarm.raised", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal(502, body.RootElement.GetProperty("alarmId").GetInt64());
        Assert.Equal("Critical", body.RootElement.GetProperty("priority").GetString());
        Assert.Equal(141.5, body.RootElement.GetProperty("value").GetDouble());
    }

    [Fact]
    public async Task OnRaised_WebhookFailsOnce_IsRetriedAndDelivered()
    {
        await using var hook = new WebhookSink(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        await using var app = App(await pg.CreateDatabaseAsync());
        await app.Services.GetRequiredService<SettingsService>().SaveAsync(Admin(), SettingsSections.Notifications, 0,
            new NotificationOptions { Webhook = new() { Enabled = true, Url = hook.Url } }, Ct);
        var notifier = app.Services.GetServices<IAlarmRaisedHandler>().OfType<CriticalAlarmNotifier>().Single();

        notifier.OnRaised(Alarm(601, AlarmPriority.Critical));

        var call = await hook.WaitForHookAsync();
        Assert.Equal(2, hook.Requests);
        // Without a secret the body is not signed.
        Assert.Null(call.Signature);
    }

    [Fact]
    public async Task TestEmail_UnsavedValuesFromThePage_AreDeliveredThroughMailKit()
    {
        await using var smtp = new SmtpSink();
        await using var app = App(await pg.CreateDatabaseAsync());
        var client = await SignedInClientAsync(app);

        var response = await client.PostAsJsonAsync("/api/v1/admin/settings/notifications/test-email", new
        {
            email = new { enabled = false, host = "127.0.0.1", port = smtp.Port, security = "None", from = "cityops@example.org", to = new[] { "duty@example.org" } },
            webhook = new { enabled = false, url = "" },
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<DeliveryResult>(Ct);
        Assert.Equal(new DeliveryResult(true, null), result);
        var mail = await smtp.WaitForMailAsync();
        Assert.Equal(["duty@example.org"], mail.To);
        Assert.Contains("Subject: [CityOps] Test notification", mail.Data);
    }

    [Fact]
    public async Task TestWebhook_SavedSettings_PostsASignedTestMessage()
    {
        await using var hook = new WebhookSink();
        await using var app = App(await pg.CreateDatabaseAsync());
        var settings = app.Services.GetRequiredService<SettingsService>();
        await settings.SaveAsync(Admin(), SettingsSections.Notifications, 0,
            new NotificationOptions { Webhook = new() { Enabled = true, Url = hook.Url, Secret = HookSecret } }, Ct);

        // The page sends the form with the secret untouched (null): the stored secret signs.
        var result = await settings.TestWebhookAsync(Admin(), new NotificationOptions { Webhook = new() { Enabled = true, Url = hook.Url } }, Ct);

        Assert.True(result.Ok, result.Error);
        var call = await hook.WaitForHookAsync();
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(HookSecret), call.Body)), call.Signature);
        using var body = JsonDocument.Parse(call.Body);
        Assert.Equal("test", body.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task TestEmail_NoServerListening_ReportsTheError()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var closedPort = KestrelApp.FreePort();

        var result = await app.Services.GetRequiredService<SettingsService>().TestEmailAsync(Admin(), new NotificationOptions
        {
            Email = new() { Host = "127.0.0.1", Port = closedPort, Security = SmtpSecurity.None, From = "cityops@example.org", To = ["duty@example.org"] },
        }, Ct);

        Assert.False(result.Ok);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public async Task TestWebhook_InvalidUrl_ExplainsWithoutSending()
    {
        await using var app = App(await pg.CreateDatabaseAsync());

        var result = await app.Services.GetRequiredService<SettingsService>().TestWebhookAsync(Admin(),
            new NotificationOptions { Webhook = new() { Url = "hooks.example/x" } }, Ct);

        Assert.False(result.Ok);
        Assert.Contains("http:// or https://", result.Error);
    }

    private static async Task SaveChannelsAsync(CityOpsAppFactory app, SmtpSink smtp, WebhookSink hook) =>
        await app.Services.GetRequiredService<SettingsService>().SaveAsync(Admin(), SettingsSections.Notifications, 0, new NotificationOptions
        {
            Email = new()
            {
                Enabled = true, Host = "127.0.0.1", Port = smtp.Port, Security = SmtpSecurity.None,
                From = "cityops@example.org", To = ["duty@example.org", "chief@example.org"],
            },
            Webhook = new() { Enabled = true, Url = hook.Url, Secret = HookSecret },
        }, Ct);

    private static AlarmView Alarm(long id, AlarmPriority priority) => new(
        id, "test.rule", 1, "Motor temperature", priority, AlarmState.ActiveUnacknowledged, true, "tplant", "area", "tplant.line1.press",
        "tplant.line1.press.temp", "tplant.line1.press.temp", "Motor overheating", null, 141.5, "°C", 0.9, DateTime.UtcNow, null, null, null, null, false, null);
}
