using System.Text.Json.Serialization;
using CityOps.Simulator;
using CityOps.Web.Data;

namespace CityOps.Web.Features.Demo;

public static class DemoExtensions
{
    public static bool IsDemoMode(this IConfiguration configuration) => configuration.GetValue("CityOps:DemoMode", false);

    /// <summary>In demo mode: registers the demo world and runs the digital twin as an in-process device fleet.</summary>
    public static void AddDemo(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.IsDemoMode())
        {
            return;
        }
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DemoTwinHost>();
        builder.Services.AddSingleton<IDatabaseSeeder, DemoWorldSeeder>();
        builder.Services.AddHostedService<DemoFeedWorker>();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter<FaultKind>()));
    }
}
