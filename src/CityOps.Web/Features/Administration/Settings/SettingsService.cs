using System.Security.Claims;
using System.Text.Json;
using CityOps.Web.Data;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Cluster;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Ingest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>Values an administrator entered that cannot be saved; <see cref="Errors"/> says why, one message each.</summary>
public sealed class SettingsValidationException(IReadOnlyList<string> errors) : Exception(string.Join(" ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>Someone else saved the section since it was read.</summary>
public sealed class SettingsConflictException(string message) : Exception(message);

/// <summary>Who last saved a section (version 0: never; the configured values apply).</summary>
public sealed record SectionInfo(int Version, string? UpdatedBy, DateTime? UpdatedAt);

/// <summary>A section's effective values as the page and the API show them (secrets removed).</summary>
public sealed record SectionView(string Section, int Version, string? UpdatedBy, DateTime? UpdatedAt, object Value);

/// <summary>What the settings page shows: every section's effective values, secrets removed.</summary>
public sealed record SettingsSnapshot(
    RetentionSettings Retention, IngestSettings Ingest, AlarmSettings Alarms, NotificationOptions Notifications, MapSettings Map,
    IReadOnlyDictionary<string, SectionInfo> Info);

/// <summary>The settings page's operations; the page depends on this so its tests need no database.</summary>
public interface ISettingsAdministration
{
    Task<SettingsSnapshot> GetAllAsync(ClaimsPrincipal user, CancellationToken cancellationToken);

    /// <summary>Saves a section whole. <paramref name="value"/> is the section's settings type.</summary>
    /// <exception cref="SettingsValidationException">The values cannot be used; nothing is saved.</exception>
    /// <exception cref="SettingsConflictException"><paramref name="expectedVersion"/> is not the stored version.</exception>
    Task<SectionView> SaveAsync(ClaimsPrincipal user, string section, int expectedVersion, object value, CancellationToken cancellationToken);

    /// <summary>Sends a test e-mail with <paramref name="candidate"/> (unsaved values; a null password means the stored one), or the saved settings.</summary>
    Task<DeliveryResult> TestEmailAsync(ClaimsPrincipal user, NotificationOptions? candidate, CancellationToken cancellationToken);

    Task<DeliveryResult> TestWebhookAsync(ClaimsPrincipal user, NotificationOptions? candidate, CancellationToken cancellationToken);
}

/// <summary>
/// Reads and saves the settings sections: validates, stores the row and its audit entry in one SaveChanges, then tells
/// every node (<see cref="ChangeTopics.Settings"/>) so its options follow at once.
/// </summary>
public sealed class SettingsService(
    IDbContextFactory<CityOpsDbContext> dbFactory,
    SettingsStore store,
    AuditLog audit,
    ChangeSignals signals,
    NotificationSender sender,
    IOptionsMonitor<RetentionOptions> retention,
    IOptionsMonitor<IngestOptions> ingest,
    IOptionsMonitor<AlertOptions> alerts,
    IOptionsMonitor<MapOptions> map,
    IOptionsMonitor<NotificationOptions> notifications,
    TimeProvider time) : ISettingsAdministration
{
    public Task<SettingsSnapshot> GetAllAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        AdminGuard.Demand(user);
        var info = SettingsSections.All.ToDictionary(s => s, s => store.Get(s) is { } r ? new SectionInfo(r.Version, r.UpdatedBy, r.UpdatedAt) : new SectionInfo(0, null, null));
        return Task.FromResult(new SettingsSnapshot(
            RetentionSettings.From(retention.CurrentValue), IngestSettings.From(ingest.CurrentValue), AlarmSettings.From(alerts.CurrentValue),
            notifications.CurrentValue.WithoutSecrets(), MapSettings.From(map.CurrentValue), info));
    }

    /// <exception cref="KeyNotFoundException">No such section.</exception>
    public SectionView Get(ClaimsPrincipal user, string section)
    {
        AdminGuard.Demand(user);
        _ = TypeOf(section);
        var stored = store.Get(section);
        return new SectionView(section, stored?.Version ?? 0, stored?.UpdatedBy, stored?.UpdatedAt, Effective(section));
    }

    /// <summary>The settings type of <paramref name="section"/>, for callers that parse JSON.</summary>
    /// <exception cref="KeyNotFoundException">No such section.</exception>
    public static Type TypeOf(string section) => section switch
    {
        SettingsSections.Retention => typeof(RetentionSettings),
        SettingsSections.Ingest => typeof(IngestSettings),
        SettingsSections.Alarms => typeof(AlarmSettings),
        SettingsSections.Notifications => typeof(NotificationOptions),
        SettingsSections.Map => typeof(MapSettings),
        _ => throw new KeyNotFoundException($"There is no settings section '{section}'. Sections: {string.Join(", ", SettingsSections.All)}."),
    };

    public async Task<SectionView> SaveAsync(ClaimsPrincipal user, string section, int expectedVersion, object value, CancellationToken cancellationToken)
    {
        var actor = AdminGuard.Demand(user);
        if (value.GetType() != TypeOf(section))
        {
            throw new ArgumentException($"The {section} section takes {TypeOf(section).Name}, not {value.GetType().Name}.", nameof(value));
        }
        var before = Effective(section, withSecrets: true);
        if (value is NotificationOptions change)
        {
            value = change.KeepSecretsOf((NotificationOptions)before);
        }
        var errors = Validate(value);
        if (errors.Count > 0)
        {
            throw new SettingsValidationException(errors);
        }

        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var row = await db.Settings.SingleOrDefaultAsync(r => r.Section == section, cancellationToken);
            if ((row?.Version ?? 0) != expectedVersion)
            {
                throw Conflict(section, row);
            }
            var now = time.GetUtcNow().UtcDateTime;
            var json = JsonSerializer.Serialize(value, TypeOf(section), SettingsStore.Json);
            if (row is null)
            {
                row = new SettingsRow { Section = section, Value = json, Version = 1, UpdatedBy = actor, UpdatedAt = now };
                db.Settings.Add(row);
            }
            else
            {
                row.Value = json;
                row.Version++;
                row.UpdatedBy = actor;
                row.UpdatedAt = now;
            }
            audit.Add(db, actor, AuditCategory.Administration, "settings.saved", $"settings:{section}", ForAudit(before, null), ForAudit(value, before));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
            {
                throw Conflict(section, null);
            }
        }
        // Runs this node's reload before it returns, so the caller sees the new values; other nodes follow in milliseconds.
        await signals.PublishAsync(ChangeTopics.Settings, section, cancellationToken);
        return Get(user, section);
    }

    public Task<DeliveryResult> TestEmailAsync(ClaimsPrincipal user, NotificationOptions? candidate, CancellationToken cancellationToken)
    {
        AdminGuard.Demand(user);
        var channels = Candidate(candidate);
        var errors = channels.Email.Validate().ToList();
        return errors.Count > 0
            ? Task.FromResult(new DeliveryResult(false, string.Join(" ", errors)))
            : sender.SendEmailAsync(channels.Email, AlarmNotification.Test(time.GetUtcNow().UtcDateTime), cancellationToken);
    }

    public Task<DeliveryResult> TestWebhookAsync(ClaimsPrincipal user, NotificationOptions? candidate, CancellationToken cancellationToken)
    {
        AdminGuard.Demand(user);
        var channels = Candidate(candidate);
        var errors = channels.Webhook.Validate().ToList();
        return errors.Count > 0
            ? Task.FromResult(new DeliveryResult(false, string.Join(" ", errors)))
            : sender.SendWebhookAsync(channels.Webhook, AlarmNotification.Test(time.GetUtcNow().UtcDateTime), cancellationToken);
    }

    private NotificationOptions Candidate(NotificationOptions? candidate) =>
        candidate?.KeepSecretsOf(notifications.CurrentValue) ?? notifications.CurrentValue;

    private List<string> Validate(object value) => value switch
    {
        RetentionSettings r => r.Validate(ingest.CurrentValue).ToList(),
        IngestSettings i => i.Validate().ToList(),
        AlarmSettings a => a.Validate().ToList(),
        NotificationOptions n => n.Validate().ToList(),
        MapSettings m => m.Validate().ToList(),
        _ => throw new ArgumentException($"Unknown settings type {value.GetType().Name}."),
    };

    private object Effective(string section, bool withSecrets = false) => section switch
    {
        SettingsSections.Retention => RetentionSettings.From(retention.CurrentValue),
        SettingsSections.Ingest => IngestSettings.From(ingest.CurrentValue),
        SettingsSections.Alarms => AlarmSettings.From(alerts.CurrentValue),
        SettingsSections.Notifications => withSecrets ? notifications.CurrentValue.Copy() : notifications.CurrentValue.WithoutSecrets(),
        SettingsSections.Map => MapSettings.From(map.CurrentValue),
        _ => throw new KeyNotFoundException($"There is no settings section '{section}'."),
    };

    private static object ForAudit(object value, object? previous) =>
        value is NotificationOptions n ? n.Masked(previous as NotificationOptions) : value;

    private static SettingsConflictException Conflict(string section, SettingsRow? row) => new(row is null
        ? $"The {section} settings were changed by someone else meanwhile; reload them and apply your change again."
        : $"The {section} settings were changed by {row.UpdatedBy} at {row.UpdatedAt:u}; reload them and apply your change again.");
}
