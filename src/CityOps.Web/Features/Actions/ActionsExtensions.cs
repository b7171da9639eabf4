using System.Text.Json.Serialization;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Demo;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Actions;

public static class ActionsExtensions
{
    /// <summary>Suggested actions for raised alarms, and commands to actuators through the configured channel.</summary>
    public static void AddActions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ActionsOptions>().BindConfiguration(ActionsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IPlaybook, ReduceLineSpeedPlaybook>();
        services.AddSingleton<IPlaybook, OpenBypassPlaybook>();
        services.AddSingleton<IPlaybook, SwitchPumpPlaybook>();
        services.AddSingleton<IPlaybook, ExtendGreenPlaybook>();
        services.AddSingleton<IPlaybook, DimLightingPlaybook>();
        services.AddSingleton<IRulePlaybooks, RuleDefinedPlaybooks>();
        services.AddSingleton<ActionsNotifier>();
        services.AddSingleton<CommandSignal>();
        services.AddSingleton<CommandService>();
        services.AddSingleton<SuggestionService>();
        services.AddSingleton<SuggestionQueue>();
        services.AddSingleton<IAlarmRaisedHandler>(sp => sp.GetRequiredService<SuggestionQueue>());
        services.AddHostedService<SuggestionWorker>();
        services.AddHostedService<CommandWorker>();
        services.AddSingleton<MqttCommandChannel>();
        services.AddHostedService<MqttCommandWorker>();

        var demo = builder.Configuration.IsDemoMode();
        if (demo)
        {
            services.AddSingleton<IProcessModel, DemoTwinProcessModel>();
        }
        else
        {
            services.AddSingleton<IProcessModel, NoProcessModel>();
        }
        services.AddHttpClient<WebhookCommandChannel>(c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<ICommandChannel>(sp =>
        {
            var kind = sp.GetRequiredService<IOptions<ActionsOptions>>().Value.Channel ?? (demo ? CommandChannelKind.DemoTwin : CommandChannelKind.None);
            return kind switch
            {
                CommandChannelKind.DemoTwin => new DemoTwinChannel(sp.GetService<DemoTwinHost>()
                    ?? throw new InvalidOperationException("Actions:Channel is DemoTwin but demo mode (CityOps:DemoMode) is off.")),
                CommandChannelKind.Webhook => sp.GetRequiredService<WebhookCommandChannel>(),
                CommandChannelKind.Mqtt => sp.GetRequiredService<MqttCommandChannel>(),
                _ => new NoCommandChannel(),
            };
        });
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter<DeviceReportStatus>());
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter<CommandStatus>());
        });
    }
}
