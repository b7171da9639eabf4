using System.Text.Json;
using CityOps.Web.Data;
using CityOps.Web.Features.Cluster;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CityOps.Web.Features.Administration.Settings;

/// <summary>One settings section as administrators last saved it; <see cref="Version"/> guards against lost updates.</summary>
public sealed class SettingsRow
{
    public required string Section { get; set; }
    public required string Value { get; set; }
    public int Version { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class SettingsRowConfiguration : IEntityTypeConfiguration<SettingsRow>
{
    public void Configure(EntityTypeBuilder<SettingsRow> b)
    {
        b.ToTable("settings");
        b.HasKey(e => e.Section);
        b.Property(e => e.Section).HasMaxLength(64);
        b.Property(e => e.Value).HasColumnType("jsonb");
        b.Property(e => e.Version).IsConcurrencyToken();
        b.Property(e => e.UpdatedBy).HasMaxLength(256);
    }
}

/// <summary>A stored section as this node last read it.</summary>
public sealed record StoredSection(string Section, string Value, int Version, string UpdatedBy, DateTime UpdatedAt);

/// <summary>
/// The saved settings, cached on every node. Configured options get them laid over their configured values
/// (<see cref="SettingsOverlay{TOptions}"/>), and when the cache is reloaded (a save on any node, through
/// <see cref="ChangeTopics.Settings"/>) every <see cref="IOptionsMonitor{TOptions}"/> recomputes, so the running app follows.
/// </summary>
public sealed class SettingsStore(IDbContextFactory<CityOpsDbContext> dbFactory, ILogger<SettingsStore> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private IReadOnlyDictionary<string, StoredSection> _sections = new Dictionary<string, StoredSection>();
    private CancellationTokenSource _changed = new();

    /// <summary>Fires when the stored settings were reloaded (the options change-token source of every overlay).</summary>
    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    public StoredSection? Get(string section) => Volatile.Read(ref _sections).GetValueOrDefault(section);

    /// <summary>The stored values of <paramref name="section"/>, or null when administrators never saved it.</summary>
    public T? Get<T>(string section) where T : class
    {
        if (Get(section) is not { } stored)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(stored.Value, Json);
        }
        catch (JsonException e)
        {
            // A row written by another version of CityOps: the configured values apply until it is saved again.
            logger.LogError(e, "The stored {Section} settings cannot be read; the configured values apply", section);
            return null;
        }
    }

    /// <summary>Reads every section from the database and tells the options to recompute.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Settings.AsNoTracking().ToListAsync(cancellationToken);
        Volatile.Write(ref _sections, rows.ToDictionary(r => r.Section, r => new StoredSection(r.Section, r.Value, r.Version, r.UpdatedBy, r.UpdatedAt)));
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }
}

/// <summary>Lays the stored section over the configured options of <typeparamref name="TOptions"/>, and says when to recompute.</summary>
internal sealed class SettingsOverlay<TOptions>(SettingsStore store, Action<SettingsStore, TOptions> apply)
    : IPostConfigureOptions<TOptions>, IOptionsChangeTokenSource<TOptions> where TOptions : class
{
    public string Name => Options.DefaultName;

    public void PostConfigure(string? name, TOptions options)
    {
        if (name == Options.DefaultName)
        {
            apply(store, options);
        }
    }

    public IChangeToken GetChangeToken() => store.GetChangeToken();
}

/// <summary>
/// Loads the stored settings before the other services start (so they start with them), retries in the background
/// when the database is not there yet, and reloads whenever any node saves.
/// </summary>
internal sealed class SettingsLoader(SettingsStore store, ChangeSignals signals, TimeProvider time, ILogger<SettingsLoader> logger) : IHostedLifecycleService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;
    private Task _retry = Task.CompletedTask;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _subscription = signals.Subscribe(ChangeTopics.Settings, (_, ct) => store.ReloadAsync(ct));
        if (!await TryLoadAsync(cancellationToken))
        {
            _retry = RetryAsync(_stopping.Token);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await _stopping.CancelAsync();
        await _retry.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Stops the retries. The token source is cancelled, never disposed: a test host may call StopAsync again after the
    /// container disposed this service, and a source without timers or wait handles holds nothing to release.
    /// </summary>
    public void Dispose()
    {
        _subscription?.Dispose();
        _stopping.Cancel();
    }

    private async Task<bool> TryLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.ReloadAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not read the stored settings; the configured values apply until they can be read");
            return false;
        }
    }

    private async Task RetryAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), time, ct);
            if (await TryLoadAsync(ct))
            {
                logger.LogInformation("Stored settings loaded");
                return;
            }
        }
    }
}
