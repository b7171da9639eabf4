namespace CityOps.Web.Features.Alerts;

public static class AlarmScreensExtensions
{
    /// <summary>The alarm screens (console, detail, handover); they read the board and act through the operations that <see cref="AlertsExtensions.AddAlerts"/> adds.</summary>
    public static void AddAlarmScreens(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AlarmCommands>();
        builder.Services.AddSingleton<Evidence.IAlarmEvidence, Evidence.AlarmEvidenceService>();
    }
}
