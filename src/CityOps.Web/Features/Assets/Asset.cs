using CityOps.Analytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Assets;

/// <summary>A node of a site's asset hierarchy (district, intersection, line, machine …).</summary>
public sealed class Asset
{
    public int Id { get; set; }
    public required string Key { get; set; }
    public int SiteId { get; set; }
    public Site? Site { get; set; }
    public int? ParentId { get; set; }
    public Asset? Parent { get; set; }
    public List<Asset> Children { get; set; } = [];
    public required string Name { get; set; }
    public AssetType Type { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public List<Sensor> Sensors { get; set; } = [];
    public List<Actuator> Actuators { get; set; } = [];
}

public sealed class AssetConfiguration : IEntityTypeConfiguration<Asset>
{
    public void Configure(EntityTypeBuilder<Asset> b)
    {
        b.HasIndex(a => a.Key).IsUnique();
        b.Property(a => a.Key).HasMaxLength(200);
        b.Property(a => a.Name).HasMaxLength(200);
        b.Property(a => a.Type).HasConversion<string>().HasMaxLength(40);
        b.HasOne(a => a.Site).WithMany(s => s.Assets).HasForeignKey(a => a.SiteId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(a => a.Parent).WithMany(a => a.Children).HasForeignKey(a => a.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}
