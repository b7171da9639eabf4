using CityOps.Web.Features.Administration.Settings;
using CityOps.Web.Features.Ingest;

namespace CityOps.Tests.Administration;

public sealed class SettingsValidationTests
{
    [Fact]
    public void Validate_Retention_MinuteRollupsShorterThanRaw_Explains()
    {
        var errors = new RetentionSettings { RawDays = 90, MinuteRollupDays = 30 }.Validate(new IngestOptions()).ToList();

        Assert.Equal(["1-minute rollups must be kept at least as long as raw readings (90 days): history charts fall back to them once raw readings are gone."], errors);
    }

    [Fact]
    public void Validate_Retention_RawShorterThanRollupLag_Explains()
    {
        var errors = new RetentionSettings { RawDays = 1, MinuteRollupDays = 30 }.Validate(new IngestOptions { RollupMaxLag = TimeSpan.FromDays(2) }).ToList();

        Assert.Contains(errors, e => e.StartsWith("Raw readings must be kept at least as long as the rollup lag", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Retention_Defaults_AreValid() =>
        Assert.Empty(RetentionSettings.From(new RetentionOptions()).Validate(new IngestOptions()));

    [Theory]
    [InlineData(0, "The flood threshold must be greater than 0")]
    [InlineData(-3, "The flood threshold must be greater than 0")]
    public void Validate_Alarms_FloodThresholdNotPositive_Explains(int flood, string expected)
    {
        var settings = AlarmSettings.From(new CityOps.Web.Features.Alerts.AlertOptions());
        settings.FloodAlarms = flood;

        Assert.Contains(settings.Validate(), e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://tiles.example/{z}/{x}/{y}.png", null)]
    [InlineData("http://{s}.tiles.example/{z}/{x}/{y}{r}.png", null)]
    [InlineData("", null)]
    [InlineData("ftp://tiles.example/{z}/{x}/{y}.png", "The tile URL must be an absolute http:// or https:// address.")]
    [InlineData("tiles.example/{z}/{x}/{y}.png", "The tile URL must be an absolute http:// or https:// address.")]
    [InlineData("https://tiles.example/{z}/{x}.png", "The tile URL must contain {z}, {x} and {y} (missing {y}), e.g. https://tiles.example/{z}/{x}/{y}.png.")]
    public void Validate_Map_TileUrl_MustBeHttpWithPlaceholders(string url, string? expected)
    {
        var errors = new MapSettings { TileUrl = url }.Validate().ToList();

        if (expected is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal([expected], errors);
        }
    }

    [Fact]
    public void Validate_Ingest_OutOfRange_ExplainsEachField()
    {
        var errors = new IngestSettings { MaxItemsPerRequest = 0, MaxRequestBodyBytes = 10, FutureTolerance = TimeSpan.FromDays(2) }.Validate().ToList();

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Validate_Email_MissingHostAndBadAddresses_Explains()
    {
        var options = new NotificationOptions { Email = new() { Enabled = true, Host = " ", Port = 0, From = "cityops", To = ["duty@example.org", "nobody"] } };

        var errors = options.Validate().ToList();

        Assert.Equal(
            [
                "E-mail: the SMTP server's host name is required.",
                "E-mail: the SMTP port must be between 1 and 65535 (usually 587 for STARTTLS, 465 for TLS).",
                "E-mail: the sender 'cityops' is not an e-mail address.",
                "E-mail: the recipient 'nobody' is not an e-mail address.",
            ], errors);
    }

    [Fact]
    public void Validate_DisabledChannels_AreNotChecked() =>
        Assert.Empty(new NotificationOptions { Email = new() { Host = "" }, Webhook = new() { Url = "nonsense" } }.Validate());
}

public sealed class NotificationSecretsTests
{
    private static NotificationOptions Stored() => new()
    {
        Email = new() { Host = "smtp.example.org", Password = "old-password" },
        Webhook = new() { Url = "https://hooks.example/x", Secret = "old-secret" },
    };

    [Fact]
    public void WithoutSecrets_StoredSecrets_AreReplacedBySetFlags()
    {
        var view = Stored().WithoutSecrets();

        Assert.Null(view.Email.Password);
        Assert.Null(view.Webhook.Secret);
        Assert.True(view.Email.PasswordSet);
        Assert.True(view.Webhook.SecretSet);
    }

    [Fact]
    public void KeepSecretsOf_NullKeepsEmptyClearsTextReplaces()
    {
        var change = Stored().WithoutSecrets();
        change.Webhook.Secret = "";

        var merged = change.KeepSecretsOf(Stored());

        Assert.Equal("old-password", merged.Email.Password);
        Assert.Equal("", merged.Webhook.Secret);
    }

    [Fact]
    public void Masked_ReplacedAndClearedSecrets_SayWhatHappenedWithoutTheValue()
    {
        var next = Stored();
        next.Email.Password = "new-password";
        next.Webhook.Secret = "";

        var text = System.Text.Json.JsonSerializer.Serialize(next.Masked(Stored()));

        Assert.Contains("\"Password\":\"(replaced)\"", text);
        Assert.Contains("\"Secret\":\"(cleared)\"", text);
        Assert.DoesNotContain("new-password", text);
        Assert.DoesNotContain("old-", text);
    }
}
