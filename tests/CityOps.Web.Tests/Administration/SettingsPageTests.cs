using System.Security.Claims;
using Bunit;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Settings;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Ingest;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Administration;

public sealed class SettingsPageTests : BunitContext
{
    private readonly FakeSettings _settings = new();

    public SettingsPageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<ISettingsAdministration>(_settings);
        AddAuthorization().SetAuthorized("chief@example.org").SetRoles(Roles.Administrator);
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    [Fact]
    public void Render_StoredSectionAndDefaults_SaysWhichIsWhich()
    {
        _settings.Info[SettingsSections.Map] = new SectionInfo(3, "ann@example.org", new DateTime(2026, 11, 26, 17, 5, 0, DateTimeKind.Utc));

        var cut = Render<SettingsPage>();

        Assert.Contains("Saved by ann@example.org at 2026-11-26 17:05 UTC (version 3)", cut.Find("[data-testid='section-map']").TextContent);
        Assert.Contains("Configured defaults", cut.Find("[data-testid='section-retention']").TextContent);
        Assert.Equal("30", cut.Find("input[data-testid='retention-raw']").GetAttribute("value"));
    }

    [Fact]
    public void Save_MapTileUrl_SendsTheSectionWithItsVersion()
    {
        _settings.Info[SettingsSections.Map] = new SectionInfo(2, "ann@example.org", DateTime.UtcNow);
        var cut = Render<SettingsPage>();

        cut.Find("input[data-testid='map-url']").Change("https://tiles.example/{z}/{x}/{y}.png");
        cut.Find("[data-testid='map-save']").Click();

        var (section, version, value) = Assert.Single(_settings.Saves);
        Assert.Equal(SettingsSections.Map, section);
        Assert.Equal(2, version);
        Assert.Equal("https://tiles.example/{z}/{x}/{y}.png", Assert.IsType<MapSettings>(value).TileUrl);
        cut.WaitForAssertion(() => Assert.Contains("version 3", cut.Find("[data-testid='section-map']").TextContent));
    }

    [Fact]
    public void Save_InvalidValues_ShowsTheMessagesUnderTheSection()
    {
        _settings.Refuse = new SettingsValidationException(["The flood threshold must be greater than 0."]);
        var cut = Render<SettingsPage>();

        cut.Find("input[data-testid='alarms-flood']").Change("0");
        cut.Find("[data-testid='alarms-save']").Click();

        Assert.Equal(0, Assert.IsType<AlarmSettings>(Assert.Single(_settings.Saves).Value).FloodAlarms);
        Assert.Equal("The flood threshold must be greater than 0.", cut.Find("[data-testid='alarms-errors']").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid='retention-errors']"));
    }

    [Fact]
    public void Save_Notifications_StoredPasswordUntouchedIsKeptAndClearedSecretIsSentEmpty()
    {
        _settings.Notifications.Email.PasswordSet = true;
        _settings.Notifications.Webhook.SecretSet = true;
        var cut = Render<SettingsPage>();
        Assert.Equal("set", cut.Find("[data-testid='email-password-state']").TextContent.Trim());

        cut.Find("[data-testid='webhook-secret-clear']").Click();
        cut.Find("textarea[data-testid='email-to']").Change("duty@example.org,\nchief@example.org");
        cut.Find("[data-testid='notifications-save']").Click();

        var sent = Assert.IsType<NotificationOptions>(Assert.Single(_settings.Saves).Value);
        Assert.Null(sent.Email.Password);
        Assert.Equal("", sent.Webhook.Secret);
        Assert.Equal(["duty@example.org", "chief@example.org"], sent.Email.To);
    }

    [Fact]
    public void Save_Notifications_TypedPasswordReplacesTheStoredOne()
    {
        _settings.Notifications.Email.PasswordSet = true;
        var cut = Render<SettingsPage>();

        cut.Find("input[data-testid='email-password']").Input("n3w-Password");
        cut.Find("[data-testid='notifications-save']").Click();

        Assert.Equal("n3w-Password", Assert.IsType<NotificationOptions>(Assert.Single(_settings.Saves).Value).Email.Password);
    }

    [Fact]
    public void SendTestEmail_Failure_ShowsTheError()
    {
        _settings.TestResult = new DeliveryResult(false, "SocketException: Connection refused");
        var cut = Render<SettingsPage>();

        cut.Find("input[data-testid='email-host']").Change("smtp.example.org");
        cut.Find("[data-testid='email-test']").Click();

        Assert.Equal("smtp.example.org", Assert.Single(_settings.EmailTests).Email.Host);
        cut.WaitForAssertion(() => Assert.Equal("SocketException: Connection refused", cut.Find("[data-testid='email-test-result']").TextContent.Trim()));
    }

    [Fact]
    public void SendTestWebhook_Success_SaysSent()
    {
        var cut = Render<SettingsPage>();

        cut.Find("[data-testid='webhook-test']").Click();

        cut.WaitForAssertion(() => Assert.Equal("Sent.", cut.Find("[data-testid='webhook-test-result']").TextContent.Trim()));
    }

    private sealed class FakeSettings : ISettingsAdministration
    {
        public Dictionary<string, SectionInfo> Info { get; } = SettingsSections.All.ToDictionary(s => s, _ => new SectionInfo(0, null, null));
        public NotificationOptions Notifications { get; } = new();
        public List<(string Section, int Version, object Value)> Saves { get; } = [];
        public List<NotificationOptions> EmailTests { get; } = [];
        public Exception? Refuse { get; set; }
        public DeliveryResult TestResult { get; set; } = DeliveryResult.Success;

        public Task<SettingsSnapshot> GetAllAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
            Task.FromResult(new SettingsSnapshot(
                RetentionSettings.From(new RetentionOptions()), IngestSettings.From(new IngestOptions()), AlarmSettings.From(new AlertOptions()),
                Notifications, MapSettings.From(new MapOptions()), Info));

        public Task<SectionView> SaveAsync(ClaimsPrincipal user, string section, int expectedVersion, object value, CancellationToken cancellationToken)
        {
            Saves.Add((section, expectedVersion, value));
            if (Refuse is not null)
            {
                return Task.FromException<SectionView>(Refuse);
            }
            var shown = value is NotificationOptions n ? n.WithoutSecrets() : value;
            return Task.FromResult(new SectionView(section, expectedVersion + 1, user.Identity?.Name, DateTime.UtcNow, shown));
        }

        public Task<DeliveryResult> TestEmailAsync(ClaimsPrincipal user, NotificationOptions? candidate, CancellationToken cancellationToken)
        {
            EmailTests.Add(candidate!);
            return Task.FromResult(TestResult);
        }

        public Task<DeliveryResult> TestWebhookAsync(ClaimsPrincipal user, NotificationOptions? candidate, CancellationToken cancellationToken) =>
            Task.FromResult(TestResult);
    }
}
