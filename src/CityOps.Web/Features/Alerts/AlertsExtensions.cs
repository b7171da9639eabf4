using System.Text.Json.Serialization;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Demo;
using CityOps.Web.Features.Ingest;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityOps.Web.Features.Alerts;

public static class AlertsExtensions
{
    /// <summary>The alert engine, the standing-alarm board, operator actions, rule storage and the alarm push to hub clients.</summary>
    public static void AddAlerts(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<AlertOptions>()
            .Bind(builder.Configuration.GetSection(AlertOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AlarmBoard>();
        builder.Services.AddSingleton<AlarmWriteGate>();
        builder.Services.AddSingleton<AlarmOperations>();
        builder.Services.AddSingleton<AlertRuleStore>();
        builder.Services.AddSingleton<AlertEngineService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertEngineService>());
        builder.Services.AddSingleton<IReadingsObserver>(sp => sp.GetRequiredService<AlertEngineService>());
        builder.Services.AddHostedService<RuleChangeFollower>();
        builder.Services.AddHostedService<AlarmHubPublisher>();
        if (builder.Configuration.IsDemoMode())
        {
            builder.Services.AddSingleton<IDatabaseSeeder, DemoRulesSeeder>();
        }

        // Hub clients and API callers read states and priorities by name, as they are stored.
        builder.Services.Configure<JsonHubProtocolOptions>(o => AddEnumNames(o.PayloadSerializerOptions.Converters));
        builder.Services.ConfigureHttpJsonOptions(o => AddEnumNames(o.SerializerOptions.Converters));
    }

    public static void MapAlertsApi(this WebApplication app) => app.MapAlertsEndpoints();

    private static void AddEnumNames(IList<JsonConverter> converters)
    {
        converters.Add(new JsonStringEnumConverter<AlarmState>());
        converters.Add(new JsonStringEnumConverter<AlarmPriority>());
    }
}

/// <summary>Reloads this node's engine whenever rules change on any node (a save, an import, a restore).</summary>
internal sealed class RuleChangeFollower(ChangeSignals signals, AlertEngineService engine) : IHostedService, IDisposable
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = signals.Subscribe(ChangeTopics.Rules, (_, ct) => engine.ReloadRulesAsync(ct));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _subscription?.Dispose();
}
