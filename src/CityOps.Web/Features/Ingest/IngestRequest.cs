using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CityOps.Web.Features.Ingest;

/// <summary>
/// The stored answer to a request that carried an Idempotency-Key, written in the same transaction as
/// its readings so that a retry is answered like the first and stored once.
/// </summary>
public sealed class IngestRequest
{
    public Guid ApiKeyId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string ResponseJson { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class IngestRequestConfiguration : IEntityTypeConfiguration<IngestRequest>
{
    public void Configure(EntityTypeBuilder<IngestRequest> b)
    {
        b.HasKey(r => new { r.ApiKeyId, r.IdempotencyKey });
        b.Property(r => r.IdempotencyKey).HasMaxLength(200);
        b.Property(r => r.ResponseJson).HasColumnType("jsonb");
        b.HasIndex(r => r.CreatedAt);
    }
}
