using CityOps.Analytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Assets;

/// <summary>A measured signal. <see cref="Min"/>/<see cref="Max"/> are the physical valid range.</summary>
public sealed class Sensor
{
    public int Id { get; set; }
    /// <summary>Stable key devices send, e.g. <c>plant1.line2.press3.motor_temp</c>.</summary>
    public required string Key { get; set; }
    public int AssetId { get; set; }
    public Asset? Asset { get; set; }
    public MetricKind Metric { get; set; }
    public required string Unit { get; set; }
    public double Min { get; set; }
    public double Max { get; set; }
    public double IntervalSeconds { get; set; }
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
}

public sealed class SensorConfiguration : IEntityTypeConfiguration<Sensor>
{
    public void Configure(EntityTypeBuilder<Sensor> b)
    {
        b.HasIndex(s => s.Key).IsUnique();
        b.Property(s => s.Key).HasMaxLength(200);
        b.Property(s => s.Unit).HasMaxLength(20);
        b.Property(s => s.Metric).HasConversion<string>().HasMaxLength(40);
        b.HasOne(s => s.Asset).WithMany(a => a.Sensors).HasForeignKey(s => s.AssetId).OnDelete(DeleteBehavior.Restrict);
    }
}
