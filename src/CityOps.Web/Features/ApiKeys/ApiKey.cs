using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.ApiKeys;

[Flags]
public enum ApiKeyScopes
{
    None = 0,
    Ingest = 1,
    Read = 2,
}

/// <summary>
/// A gateway's credential. Only a SHA-256 hash of the secret is stored; the secret is shown once at
/// creation. <see cref="Prefix"/> (the secret's first characters) finds the row without a scan.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public required string Label { get; set; }
    public required string Prefix { get; set; }
    public required byte[] SecretHash { get; set; }
    public ApiKeyScopes Scopes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}

public sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.HasIndex(k => k.Prefix);
        b.Property(k => k.Label).HasMaxLength(200);
        b.Property(k => k.Prefix).HasMaxLength(16);
        b.Property(k => k.SecretHash).HasMaxLength(32);
    }
}
