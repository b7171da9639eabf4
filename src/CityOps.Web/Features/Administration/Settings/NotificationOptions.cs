using System.Text.Json.Serialization;
using MimeKit;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>How the connection to the SMTP server is secured (MailKit's <c>SecureSocketOptions</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SmtpSecurity>))]
public enum SmtpSecurity { Auto, None, StartTls, SslOnConnect }

/// <summary>
/// Where new Critical alarms are sent (configuration section <c>Notifications</c>, overridden on the settings page).
/// Secrets (<see cref="EmailChannelOptions.Password"/>, <see cref="WebhookChannelOptions.Secret"/>) are stored but never
/// shown: a view has them null with <c>PasswordSet</c>/<c>SecretSet</c> saying whether one is stored, and a null secret
/// in a change means "keep the stored one" (an empty string clears it).
/// </summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    public EmailChannelOptions Email { get; set; } = new();
    public WebhookChannelOptions Webhook { get; set; } = new();

    public NotificationOptions Copy() => new() { Email = Email.Copy(), Webhook = Webhook.Copy() };

    /// <summary>This with the secrets removed, for the browser and the API.</summary>
    public NotificationOptions WithoutSecrets()
    {
        var copy = Copy();
        copy.Email.PasswordSet = !string.IsNullOrEmpty(Email.Password);
        copy.Email.Password = null;
        copy.Webhook.SecretSet = !string.IsNullOrEmpty(Webhook.Secret);
        copy.Webhook.Secret = null;
        return copy;
    }

    /// <summary>This change with its kept (null) secrets taken from <paramref name="stored"/>.</summary>
    public NotificationOptions KeepSecretsOf(NotificationOptions stored)
    {
        var merged = Copy();
        merged.Email.Password ??= stored.Email.Password;
        merged.Webhook.Secret ??= stored.Webhook.Secret;
        merged.Email.PasswordSet = false;
        merged.Webhook.SecretSet = false;
        return merged;
    }

    /// <summary>For the audit log: secrets as "set", "replaced" or "cleared", never their value.</summary>
    public object Masked(NotificationOptions? previous = null) => new
    {
        Email = new
        {
            Email.Enabled, Email.Host, Email.Port, Email.Security, Email.UserName, Email.From, Email.To,
            Password = MaskSecret(Email.Password, previous?.Email.Password),
        },
        Webhook = new { Webhook.Enabled, Webhook.Url, Secret = MaskSecret(Webhook.Secret, previous?.Webhook.Secret) },
    };

    public IEnumerable<string> Validate()
    {
        if (Email.Enabled)
        {
            foreach (var error in Email.Validate())
            {
                yield return error;
            }
        }
        if (Webhook.Enabled)
        {
            foreach (var error in Webhook.Validate())
            {
                yield return error;
            }
        }
    }

    private static string? MaskSecret(string? secret, string? previous) =>
        string.IsNullOrEmpty(secret)
            ? (string.IsNullOrEmpty(previous) ? null : "(cleared)")
            : previous is not null && previous != secret ? "(replaced)" : "(set)";
}

public sealed class EmailChannelOptions
{
    public bool Enabled { get; set; }
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>Empty: the server is used without authentication.</summary>
    public string UserName { get; set; } = "";
    public string? Password { get; set; }

    /// <summary>In views only: a password is stored.</summary>
    [JsonPropertyName("passwordSet")]
    public bool PasswordSet { get; set; }

    public string From { get; set; } = "";
    public List<string> To { get; set; } = [];

    public EmailChannelOptions Copy() => new()
    {
        Enabled = Enabled, Host = Host, Port = Port, Security = Security, UserName = UserName, Password = Password,
        PasswordSet = PasswordSet, From = From, To = [.. To],
    };

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return "E-mail: the SMTP server's host name is required.";
        }
        if (Port is < 1 or > 65535)
        {
            yield return "E-mail: the SMTP port must be between 1 and 65535 (usually 587 for STARTTLS, 465 for TLS).";
        }
        if (!MailboxAddress.TryParse(From, out _) || !From.Contains('@'))
        {
            yield return $"E-mail: the sender '{From}' is not an e-mail address.";
        }
        if (To.Count == 0)
        {
            yield return "E-mail: name at least one recipient.";
        }
        foreach (var to in To.Where(t => !MailboxAddress.TryParse(t, out _) || !t.Contains('@')))
        {
            yield return $"E-mail: the recipient '{to}' is not an e-mail address.";
        }
    }
}

public sealed class WebhookChannelOptions
{
    public bool Enabled { get; set; }
    public string Url { get; set; } = "";

    /// <summary>Optional: when set, the body is signed with HMAC-SHA256 in <c>X-CityOps-Signature</c>.</summary>
    public string? Secret { get; set; }

    /// <summary>In views only: a secret is stored.</summary>
    [JsonPropertyName("secretSet")]
    public bool SecretSet { get; set; }

    public WebhookChannelOptions Copy() => new() { Enabled = Enabled, Url = Url, Secret = Secret, SecretSet = SecretSet };

    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return "Webhook: the URL must be an absolute http:// or https:// address.";
        }
    }
}
