using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace CityOps.Web.Data;

public sealed class DatabaseStartupException(string message, Exception? inner = null) : Exception(message, inner);

public static class DataExtensions
{
    public const string ConnectionName = "CityOps";

    /// <summary>
    /// Uses the configured server, or (with no connection string) starts the private cluster in
    /// <c>Database:DataDirectory</c> and stops it again on shutdown.
    /// </summary>
    public static async Task AddDatabaseAsync(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var dir = builder.Configuration["Database:DataDirectory"] ?? Path.Combine(".cityops", "pg");
            var port = builder.Configuration.GetValue<int?>("Database:Port");
            var local = await LocalPostgres.StartAsync(Path.GetFullPath(dir, builder.Environment.ContentRootPath), port);
            connectionString = local.ConnectionString;
            builder.Configuration[$"ConnectionStrings:{ConnectionName}"] = connectionString;
            builder.Services.AddSingleton(local);
            builder.Services.AddHostedService<LocalPostgresLifetime>();
        }
        var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        builder.Services.AddSingleton(dataSource);
        // The database is also how the nodes sharing it tell each other what administrators changed.
        builder.AddCluster();
        builder.Services.AddDbContextFactory<CityOpsDbContext>(o => o
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention());
    }

    /// <summary>Applies migrations when <c>Database:MigrateOnStartup</c> is on (by default only in demo mode), then runs the seeders.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await EnsureReachableAsync(app);
        // Demo mode migrates by default; elsewhere only when asked to (deploy/README.md has the production way).
        var migrate = app.Configuration.GetValue("Database:MigrateOnStartup", app.Configuration.GetValue("CityOps:DemoMode", false));
        try
        {
            var factory = app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                if (migrate)
                {
                    // Creating the history table first keeps the first migration from logging a failed query for it.
                    await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync();
                    await db.Database.MigrateAsync();
                }
                else if ((await db.Database.GetPendingMigrationsAsync()).ToList() is { Count: > 0 } pending)
                {
                    // Seeding needs the current schema; /health/ready reports the same until the script is applied.
                    app.Logger.LogError("The database schema is not up to date ({Count} migrations pending, from {First}); apply the migration script (deploy/README.md) or set Database__MigrateOnStartup=true", pending.Count, pending[0]);
                    return;
                }
            }
            // Seeders are idempotent and run on every start, so the first administrator from configuration appears without a migration.
            await using var scope = app.Services.CreateAsyncScope();
            foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>().OrderBy(s => s.Order))
            {
                await seeder.SeedAsync(scope.ServiceProvider, app.Lifetime.ApplicationStopping);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException)
        {
            var target = new NpgsqlConnectionStringBuilder(app.Configuration.GetConnectionString(ConnectionName));
            throw new DatabaseStartupException($"the database at {target.Host}:{target.Port}/{target.Database} failed while preparing it: {e.Message}", e);
        }
    }

    /// <summary>Fails start-up with one clear sentence when the database cannot be reached or does not exist.</summary>
    private static async Task EnsureReachableAsync(WebApplication app)
    {
        try
        {
            await using var connection = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            var target = new NpgsqlConnectionStringBuilder(app.Configuration.GetConnectionString(ConnectionName));
            var cause = e;
            while (cause.InnerException is not null)
            {
                cause = cause.InnerException;
            }
            throw new DatabaseStartupException($"the database at {target.Host}:{target.Port}/{target.Database} cannot be reached: {cause.Message}", e);
        }
    }

    private sealed class LocalPostgresLifetime(LocalPostgres local) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => local.StopAsync(CancellationToken.None);
    }
}

/// <summary>Turns a database that cannot be reached or started into one clear line on stderr and exit code 1.</summary>
public static class StartupFailure
{
    public static async Task<int> ReportAsync(Exception e)
    {
        await Console.Error.WriteLineAsync($"cityops: cannot start: {e.Message}");
        return 1;
    }
}
