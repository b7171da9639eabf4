using CityOps.Analytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Assets;

/// <summary>Something CityOps can command: a setpoint, valve, signal timing, line speed, lighting level.</summary>
public sealed class Actuator
{
    public int Id { get; set; }
    public required string Key { get; set; }
    public int AssetId { get; set; }
    public Asset? Asset { get; set; }
    public ActuatorKind Kind { get; set; }
    public required string Unit { get; set; }
    public double Min { get; set; }
    public double Max { get; set; }
    public double CurrentValue { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

public sealed class ActuatorConfiguration : IEntityTypeConfiguration<Actuator>
{
    public void Configure(EntityTypeBuilder<Actuator> b)
    {
        b.HasIndex(a => a.Key).IsUnique();
        b.Property(a => a.Key).HasMaxLength(200);
        b.Property(a => a.Unit).HasMaxLength(20);
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(40);
        b.HasOne(a => a.Asset).WithMany(x => x.Actuators).HasForeignKey(a => a.AssetId).OnDelete(DeleteBehavior.Restrict);
    }
}
