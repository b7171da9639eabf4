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
        builder.Services.AddDbContextFactory<CityOpsDbContext>(o => o
            .UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention());
    }

    /// <summary>Applies migrations and runs the seeders when <c>Database:MigrateOnStartup</c> is on.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        if (!app.Configuration.GetValue("Database:MigrateOnStartup", false))
        {
            return;
        }
        try
        {
            var factory = app.Services.GetRequiredService<IDbContextFactory<CityOpsDbContext>>();
            await using (var db = await factory.CreateDbContextAsync())
            {
                // Creating the history table first keeps the first migration from logging a failed query for it.
                await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync();
                await db.Database.MigrateAsync();
            }
            await using var scope = app.Services.CreateAsyncScope();
            foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>().OrderBy(s => s.Order))
            {
                await seeder.SeedAsync(scope.ServiceProvider, app.Lifetime.ApplicationStopping);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException)
        {
            var target = new NpgsqlConnectionStringBuilder(app.Configuration.GetConnectionString(ConnectionName));
            throw new DatabaseStartupException($"the database at {target.Host}:{target.Port}/{target.Database} is unreachable or refused the connection ({e.Message})", e);
        }
    }

    private sealed class LocalPostgresLifetime(LocalPostgres local) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => local.StopAsync(CancellationToken.None);
    }
}
