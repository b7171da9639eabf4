using CityOps.Web.Data;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The connections of the readings hot path (the writer, partition maintenance, series queries). They get
/// short connect and command timeouts of their own, so that an unreachable database turns into a prompt
/// 503 rather than a request that hangs for the driver's default quarter of a minute.
/// </summary>
internal sealed class ReadingsDatabase : IAsyncDisposable
{
    public ReadingsDatabase(IConfiguration configuration, IOptions<IngestOptions> options)
    {
        var connectionString = configuration.GetConnectionString(DataExtensions.ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{DataExtensions.ConnectionName} is not set.");
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = options.Value.ConnectTimeoutSeconds,
            CommandTimeout = options.Value.CommandTimeoutSeconds,
            ApplicationName = "cityops-ingest",
            // The writer and the rollup worker send the same few statements thousands of times a minute: prepared
            // once per connection, PostgreSQL skips parsing them. Each execution is still planned for its own
            // arguments: a generic plan knows neither how many minutes a recomputation covers nor which partitions.
            MaxAutoPrepare = 16,
            AutoPrepareMinUsages = 2,
            Options = AppendOption(connectionString, "-c plan_cache_mode=force_custom_plan"),
        };
        DataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        // The chart reads of the rollups (RollupSeriesReader) run one statement with a fixed shape whose plan does not
        // depend on its arguments: partitions are pruned when it starts, not when it is planned. Planning it for every
        // execution cost about as much as executing it, so these connections keep one generic plan per statement.
        var chartReads = new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            ApplicationName = "cityops-charts",
            Options = AppendOption(connectionString, "-c plan_cache_mode=force_generic_plan"),
            AutoPrepareMinUsages = 1,
        };
        ChartReads = new NpgsqlDataSourceBuilder(chartReads.ConnectionString).Build();
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Connections for the rollup chart reads: prepared statements planned once (generic plans).</summary>
    public NpgsqlDataSource ChartReads { get; }

    private static string AppendOption(string connectionString, string option) =>
        new NpgsqlConnectionStringBuilder(connectionString).Options is { Length: > 0 } existing ? existing + " " + option : option;

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await ChartReads.DisposeAsync();
    }

    /// <summary>
    /// True for failures that mean "the database is not reachable right now" (refused or broken
    /// connections, shutdown, timeouts) as opposed to a defect in what we sent.
    /// </summary>
    public static bool IsUnavailable(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException => true,
        TimeoutException or System.Net.Sockets.SocketException or IOException => true,
        _ => e.InnerException is not null && IsUnavailable(e.InnerException),
    };

    /// <summary>Deadlocks and serialization failures between concurrent writers: the transaction may simply be run again.</summary>
    public static bool IsRetryable(Exception e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };
}
