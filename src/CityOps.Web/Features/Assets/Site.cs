using CityOps.Analytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Assets;

/// <summary>A monitored city or plant.</summary>
public sealed class Site
{
    public int Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }
    public SiteKind Kind { get; set; }
    public double Latitude { get; set; }
    public double Longitude { get; set; }
    public int Zoom { get; set; }
    /// <summary>IANA time zone id; screens show the site's times in it.</summary>
    public required string TimeZone { get; set; }
    public List<Asset> Assets { get; set; } = [];
}

public sealed class SiteConfiguration : IEntityTypeConfiguration<Site>
{
    public void Configure(EntityTypeBuilder<Site> b)
    {
        b.HasIndex(s => s.Key).IsUnique();
        b.Property(s => s.Key).HasMaxLength(100);
        b.Property(s => s.Name).HasMaxLength(200);
        b.Property(s => s.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(s => s.TimeZone).HasMaxLength(64);
    }
}
