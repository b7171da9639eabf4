using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CityOps.Web.Features.Alerts;

public static class AlarmScreensExtensions
{
    /// <summary>
    /// The alarm screens: console, detail, handover. The board and the operations belong to the alert engine; they are
    /// only added here when the engine has not added them, so the screens run on their own (an empty board).
    /// </summary>
    public static void AddAlarmScreens(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<AlarmBoard>();
        builder.Services.TryAddSingleton<AlarmOperations>();
        builder.Services.AddScoped<AlarmCommands>();
    }
}
