using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.IntegrationTests.Ingest;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Settings;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Cluster;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static CityOps.IntegrationTests.Administration.AdminTestKit;

namespace CityOps.IntegrationTests.Administration;

/// <summary>Saved settings override the configured options and reach the running app, on this node and the others.</summary>
public sealed class SettingsTests(PostgresFixture pg)
{
    [Fact]
    public async Task SaveAsync_Retention_OptionsFollowAtOnceAndTheChangeIsAudited()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var settings = app.Services.GetRequiredService<SettingsService>();
        var retention = app.Services.GetRequiredService<IOptionsMonitor<RetentionOptions>>();
        Assert.Equal(30, retention.CurrentValue.RawDays);

        var saved = await settings.SaveAsync(Admin(), SettingsSections.Retention, 0, new RetentionSettings { RawDays = 14, MinuteRollupDays = 400 }, Ct);

        Assert.Equal(1, saved.Version);
        Assert.Equal(AdminEmail, saved.UpdatedBy);
        Assert.Equal(14, retention.CurrentValue.RawDays);
        Assert.Equal(400, retention.CurrentValue.MinuteRollupDays);
        // What is not part of the section keeps its configured value.
        Assert.Equal(TimeSpan.FromHours(24), retention.CurrentValue.IdempotencyWindow);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        var entry = await db.AuditLog.SingleAsync(e => e.Action == "settings.saved", Ct);
        Assert.Equal(AdminEmail, entry.Actor);
        Assert.Equal("settings:retention", entry.Target);
        Assert.Equal(30, JsonDocument.Parse(entry.Before!).RootElement.GetProperty("rawDays").GetInt32());
        Assert.Equal(14, JsonDocument.Parse(entry.After!).RootElement.GetProperty("rawDays").GetInt32());
    }

    [Fact]
    public async Task SaveAsync_OnOneNode_AnotherNodeOnTheSameDatabaseFollows()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var a = App(database);
        await using var b = App(database);
        await b.Services.GetRequiredService<ChangeSignals>().Listening.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var mapOnB = b.Services.GetRequiredService<IOptionsMonitor<MapOptions>>();
        Assert.Equal("", mapOnB.CurrentValue.TileUrl);

        await a.Services.GetRequiredService<SettingsService>().SaveAsync(Admin(), SettingsSections.Map, 0,
            new MapSettings { TileUrl = "https://tiles.example/{z}/{x}/{y}.png", TileAttribution = "© Example" }, Ct);

        await Wait.UntilAsync(() => Task.FromResult(mapOnB.CurrentValue.TileUrl == "https://tiles.example/{z}/{x}/{y}.png"),
            TimeSpan.FromSeconds(30), "the other node's map options");
        Assert.Equal("© Example", mapOnB.CurrentValue.TileAttribution);
    }

    [Fact]
    public async Task Start_StoredSettings_OverrideTheConfiguredValuesFromTheStart()
    {
        var database = await pg.CreateDatabaseAsync();
        await using (var first = App(database))
        {
            await first.Services.GetRequiredService<SettingsService>().SaveAsync(Admin(), SettingsSections.Ingest, 0,
                new IngestSettings { MaxItemsPerRequest = 123, MaxRequestBodyBytes = 64 * 1024, FutureTolerance = TimeSpan.FromMinutes(1) }, Ct);
        }

        await using var restarted = App(database);

        var ingest = restarted.Services.GetRequiredService<IOptionsMonitor<IngestOptions>>().CurrentValue;
        Assert.Equal(123, ingest.MaxItemsPerRequest);
        Assert.Equal(64 * 1024, ingest.MaxRequestBodyBytes);
    }

    [Fact]
    public async Task SaveAsync_IngestLimit_TheNextRequestIsHeldToIt()
    {
        await using var host = await IngestTestHost.StartAsync(await pg.CreateDatabaseAsync());
        var at = DateTimeOffset.UtcNow.AddMinutes(-10);
        string Readings(int n, int from) => IngestTestHost.Batch(
            Enumerable.Range(from, n).Select(i => (IngestTestHost.Temperature, at.AddSeconds(i), 20.0)).ToArray());
        var client = host.Client(host.IngestKey);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v1/readings", IngestTestHost.Json(Readings(4, 0)), Ct)).StatusCode);

        await host.Service<SettingsService>().SaveAsync(Admin(), SettingsSections.Ingest, 0,
            new IngestSettings { MaxItemsPerRequest = 3, MaxRequestBodyBytes = 1024 * 1024, FutureTolerance = TimeSpan.FromMinutes(5) }, Ct);
        var response = await client.PostAsync("/api/v1/readings", IngestTestHost.Json(Readings(4, 10)), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 3", (await IngestTestHost.ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task SaveAsync_AlarmThresholds_TheRunningEngineAppliesThem()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var engine = app.Services.GetRequiredService<AlertEngineService>();
        await engine.Ready.WaitAsync(TimeSpan.FromSeconds(90), Ct);
        Assert.Equal((10, TimeSpan.FromMinutes(10)), engine.FloodThreshold);

        await app.Services.GetRequiredService<SettingsService>().SaveAsync(Admin(), SettingsSections.Alarms, 0,
            new AlarmSettings { FloodAlarms = 4, FloodWindow = TimeSpan.FromMinutes(5), ChatterCycles = 3, ChatterWindow = TimeSpan.FromMinutes(1) }, Ct);

        await Wait.UntilAsync(() => Task.FromResult(engine.FloodThreshold == (4, TimeSpan.FromMinutes(5))), TimeSpan.FromSeconds(30), "the engine's flood threshold");
    }

    [Fact]
    public async Task SaveAsync_StaleVersion_IsRefusedAsAConflict()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var settings = app.Services.GetRequiredService<SettingsService>();
        await settings.SaveAsync(Admin("first@example.org"), SettingsSections.Map, 0, new MapSettings(), Ct);

        var error = await Assert.ThrowsAsync<SettingsConflictException>(() =>
            settings.SaveAsync(Admin(), SettingsSections.Map, 0, new MapSettings { TileUrl = "https://t.example/{z}/{x}/{y}.png" }, Ct));

        Assert.Contains("first@example.org", error.Message);
        Assert.Equal("", app.Services.GetRequiredService<IOptionsMonitor<MapOptions>>().CurrentValue.TileUrl);
    }

    [Fact]
    public async Task SaveAsync_InvalidValues_ExplainsAndSavesNothing()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var settings = app.Services.GetRequiredService<SettingsService>();

        var error = await Assert.ThrowsAsync<SettingsValidationException>(() =>
            settings.SaveAsync(Admin(), SettingsSections.Retention, 0, new RetentionSettings { RawDays = 60, MinuteRollupDays = 30 }, Ct));

        Assert.Contains(error.Errors, e => e.Contains("at least as long as raw readings"));
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        Assert.False(await db.Settings.AnyAsync(Ct));
        Assert.False(await db.AuditLog.AnyAsync(e => e.Action == "settings.saved", Ct));
    }

    [Fact]
    public async Task SaveAsync_NotAnAdministrator_IsRefused()
    {
        await using var app = App(await pg.CreateDatabaseAsync());

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => app.Services.GetRequiredService<SettingsService>()
            .SaveAsync(User("op@example.org", Roles.Operator), SettingsSections.Map, 0, new MapSettings(), Ct));
    }

    [Fact]
    public async Task Notifications_Secrets_AreStoredButNeverReturnedNorAudited()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var settings = app.Services.GetRequiredService<SettingsService>();
        var change = new NotificationOptions
        {
            Email = new() { Enabled = true, Host = "smtp.example.org", Port = 587, UserName = "cityops", Password = "s3cret-Pa55", From = "cityops@example.org", To = ["duty@example.org"] },
            Webhook = new() { Enabled = true, Url = "https://hooks.example/cityops", Secret = "hook-key-1" },
        };

        var first = await settings.SaveAsync(Admin(), SettingsSections.Notifications, 0, change, Ct);
        // The page sends null for a secret it did not touch: the stored one stays.
        var untouched = change.Copy();
        untouched.Email.Password = null;
        untouched.Webhook.Secret = null;
        untouched.Email.Port = 2525;
        await settings.SaveAsync(Admin(), SettingsSections.Notifications, first.Version, untouched, Ct);

        var effective = app.Services.GetRequiredService<IOptionsMonitor<NotificationOptions>>().CurrentValue;
        Assert.Equal("s3cret-Pa55", effective.Email.Password);
        Assert.Equal("hook-key-1", effective.Webhook.Secret);
        Assert.Equal(2525, effective.Email.Port);

        var client = await SignedInClientAsync(app);
        var json = await client.GetStringAsync("/api/v1/admin/settings/notifications", Ct);
        Assert.DoesNotContain("s3cret-Pa55", json);
        Assert.DoesNotContain("hook-key-1", json);
        var value = JsonDocument.Parse(json).RootElement.GetProperty("value");
        Assert.True(value.GetProperty("email").GetProperty("passwordSet").GetBoolean());
        Assert.True(value.GetProperty("webhook").GetProperty("secretSet").GetBoolean());

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>().CreateDbContextAsync(Ct);
        var audited = await db.AuditLog.Where(e => e.Target == "settings:notifications").OrderBy(e => e.Id).ToListAsync(Ct);
        Assert.Equal(2, audited.Count);
        Assert.All(audited, e => Assert.DoesNotContain("s3cret-Pa55", e.Before + e.After));
        Assert.All(audited, e => Assert.DoesNotContain("hook-key-1", e.Before + e.After));
        Assert.Contains("(set)", audited[1].After);
    }

    [Fact]
    public async Task Notifications_EmptySecret_ClearsTheStoredOne()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var settings = app.Services.GetRequiredService<SettingsService>();
        var first = await settings.SaveAsync(Admin(), SettingsSections.Notifications, 0,
            new NotificationOptions { Webhook = new() { Enabled = true, Url = "https://hooks.example/x", Secret = "old" } }, Ct);

        await settings.SaveAsync(Admin(), SettingsSections.Notifications, first.Version,
            new NotificationOptions { Webhook = new() { Enabled = true, Url = "https://hooks.example/x", Secret = "" } }, Ct);

        Assert.True(string.IsNullOrEmpty(app.Services.GetRequiredService<IOptionsMonitor<NotificationOptions>>().CurrentValue.Webhook.Secret));
    }

    [Fact]
    public async Task PutSettings_Api_SavesValidAndExplainsInvalid()
    {
        await using var app = App(await pg.CreateDatabaseAsync());
        var client = await SignedInClientAsync(app);

        var bad = await client.PutAsJsonAsync("/api/v1/admin/settings/map",
            new { version = 0, value = new { tileUrl = "ftp://tiles.example/{z}/{x}.png", tileAttribution = "" } }, Ct);
        var good = await client.PutAsJsonAsync("/api/v1/admin/settings/alarms",
            new { version = 0, value = new { floodAlarms = 12, floodWindow = "00:15:00", chatterCycles = 4, chatterWindow = "00:02:00" } }, Ct);
        var unknown = await client.GetAsync("/api/v1/admin/settings/nope", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync(Ct);
        Assert.Contains("http:// or https://", problem);
        Assert.Contains("{y}", problem);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(12, app.Services.GetRequiredService<IOptionsMonitor<AlertOptions>>().CurrentValue.FloodAlarms);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
