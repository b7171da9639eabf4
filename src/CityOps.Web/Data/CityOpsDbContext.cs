using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.Administration.Settings;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Ingest;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Data;

/// <summary>
/// The one EF Core context. Readings and rollups are not entities: the hot path writes and reads them
/// with Npgsql directly, and their partitioned tables are created by migrations in raw SQL.
/// </summary>
public sealed class CityOpsDbContext(DbContextOptions<CityOpsDbContext> options)
    : IdentityDbContext<CityOpsUser>(options)
{
    public DbSet<Site> Sites => Set<Site>();
    public DbSet<Asset> Assets => Set<Asset>();
    public DbSet<Sensor> Sensors => Set<Sensor>();
    public DbSet<Actuator> Actuators => Set<Actuator>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<ApiKeyUsage> ApiKeyUsage => Set<ApiKeyUsage>();
    public DbSet<IngestRequest> IngestRequests => Set<IngestRequest>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<AlertRule> AlertRules => Set<AlertRule>();
    public DbSet<AlertRuleVersion> AlertRuleVersions => Set<AlertRuleVersion>();
    public DbSet<Alarm> Alarms => Set<Alarm>();
    public DbSet<AlarmEvent> AlarmEvents => Set<AlarmEvent>();
    public DbSet<ModelState> ModelStates => Set<ModelState>();
    public DbSet<Suggestion> Suggestions => Set<Suggestion>();
    public DbSet<Command> Commands => Set<Command>();
    public DbSet<SettingsRow> Settings => Set<SettingsRow>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfiguration(new SiteConfiguration());
        builder.ApplyConfiguration(new AssetConfiguration());
        builder.ApplyConfiguration(new SensorConfiguration());
        builder.ApplyConfiguration(new ActuatorConfiguration());
        builder.ApplyConfiguration(new ApiKeyConfiguration());
        builder.ApplyConfiguration(new ApiKeyUsageConfiguration());
        builder.ApplyConfiguration(new IngestRequestConfiguration());
        builder.ApplyConfiguration(new AuditEntryConfiguration());
        builder.ApplyConfiguration(new AlertRuleConfiguration());
        builder.ApplyConfiguration(new AlertRuleVersionConfiguration());
        builder.ApplyConfiguration(new AlarmConfiguration());
        builder.ApplyConfiguration(new AlarmEventConfiguration());
        builder.ApplyConfiguration(new ModelStateConfiguration());
        builder.ApplyConfiguration(new SuggestionConfiguration());
        builder.ApplyConfiguration(new CommandConfiguration());
        builder.ApplyConfiguration(new SettingsRowConfiguration());
    }
}
