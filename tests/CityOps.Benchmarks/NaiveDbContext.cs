using Microsoft.EntityFrameworkCore;

namespace CityOps.Benchmarks;

/// <summary>The naive baseline: readings as an ordinary EF Core entity in a plain table.</summary>
internal sealed class NaiveReading
{
    public long Id { get; set; }
    public int SensorId { get; set; }
    public DateTime Ts { get; set; }
    public double Value { get; set; }
}

internal sealed class NaiveDbContext(DbContextOptions<NaiveDbContext> options) : DbContext(options)
{
    public DbSet<NaiveReading> Readings => Set<NaiveReading>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<NaiveReading>().ToTable("naive_readings");
}
