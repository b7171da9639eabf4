using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Ingest;

public static class IngestExtensions
{
    public static void AddIngest(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<ReadingsDatabase>();
        services.AddSingleton<ReadingsPartitions>();
        services.AddSingleton<RollupSeriesReader>();
        services.AddSingleton<RawSeriesReader>();
        services.AddSingleton<ReadingsStore>();
        services.AddSingleton(sp => new IngestQueue(sp.GetRequiredService<IOptions<IngestOptions>>().Value.QueueCapacity));
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<ReadingValidator>();
        services.AddSingleton<IngestWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestWriter>());
        services.AddSingleton<RollupPacker>();
        services.AddSingleton<RollupWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RollupWorker>());
        services.AddSingleton<ReadingsMaintenanceWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ReadingsMaintenanceWorker>());
        services.AddSingleton(sp => new IngestService(
            sp.GetRequiredService<ReadingValidator>(), sp.GetRequiredService<IngestQueue>(), sp.GetRequiredService<IngestWriter>(),
            sp.GetRequiredService<IngestMetrics>(), sp.GetRequiredService<IOptionsMonitor<IngestOptions>>()));
        builder.AddApiDocumentation();
    }

    public static void MapIngestApi(this WebApplication app)
    {
        app.MapReadingsEndpoint();
        app.MapApiDocumentation();
    }
}
