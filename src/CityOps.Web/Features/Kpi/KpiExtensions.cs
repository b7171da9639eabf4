using CityOps.Web.Features.Accounts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Kpi;

public static class KpiExtensions
{
    public static void AddKpi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<KpiOptions>().BindConfiguration(KpiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<KpiRegistry>();
        services.AddSingleton<RollupReader>();
        services.AddSingleton<ShiftCalendar>();
        services.AddSingleton(sp => new PlantKpiQuery(sp.GetRequiredService<KpiRegistry>(), sp.GetRequiredService<RollupReader>(),
            sp.GetRequiredService<IOptionsMonitor<KpiOptions>>()));
        services.AddSingleton(sp => new CityKpiQuery(sp.GetRequiredService<KpiRegistry>(), sp.GetRequiredService<RollupReader>(),
            sp.GetRequiredService<IOptionsMonitor<KpiOptions>>()));
        services.TryAddSingleton<IAlarmHistory, DatabaseAlarmHistory>();
        services.AddSingleton<AlarmKpiQuery>();
        services.AddSingleton<KpiService>();
    }

    /// <summary>CSV exports of the KPI pages: the same sheet the page renders, written as CSV.</summary>
    public static void MapKpiApi(this WebApplication app)
    {
        var group = app.MapGroup("/kpi/export").RequireAuthorization(Policies.Manager);
        group.MapGet("/plant.csv", async (KpiService kpi, string? period, string? at, string? to, string? site, string? line, CancellationToken ct) =>
            Csv((await kpi.PlantAsync(KpiPeriodRequest.Parse(period, at, to), site, line, ct)).Sheet, "plant-kpis"));
        group.MapGet("/city.csv", async (KpiService kpi, string? period, string? at, string? to, string? site, CancellationToken ct) =>
            Csv((await kpi.CityAsync(KpiPeriodRequest.Parse(period, at, to), site, ct)).Sheet, "city-kpis"));
        group.MapGet("/alarms.csv", async (KpiService kpi, string? period, string? at, string? to, CancellationToken ct) =>
            Csv((await kpi.AlarmsAsync(KpiPeriodRequest.Parse(period, at, to), ct)).Sheet, "alarm-kpis"));
    }

    private static IResult Csv(KpiSheet? sheet, string name) => sheet is null
        ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "There is no site to report on.")
        : Results.File(System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(sheet.ToCsv())).ToArray(), "text/csv; charset=utf-8",
            $"{name}-{System.Text.RegularExpressions.Regex.Replace(sheet.PeriodLabel, "[^A-Za-z0-9]+", "-").Trim('-')}.csv");
}
