using System.Text.Json;
using CityOps.Web.Data;

namespace CityOps.Web.Features.Audit;

/// <summary>
/// Appends to the audit log. There is deliberately no update or delete: the database refuses both.
/// Callers add the entry to the same context (and so the same transaction) as the change it records.
/// </summary>
public sealed class AuditLog(TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds an entry to <paramref name="db"/>; it is written by the caller's SaveChanges.</summary>
    /// <param name="before">Serialised to JSON; null when the thing did not exist.</param>
    /// <param name="after">Serialised to JSON; null when the thing no longer exists.</param>
    public AuditEntry Add(CityOpsDbContext db, string actor, AuditCategory category, string action, string target,
        object? before = null, object? after = null, string? reason = null)
    {
        var entry = new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime,
            Actor = actor,
            Category = category,
            Action = action,
            Target = target,
            Before = before is null ? null : JsonSerializer.Serialize(before, Json),
            After = after is null ? null : JsonSerializer.Serialize(after, Json),
            Reason = reason,
        };
        db.AuditLog.Add(entry);
        return entry;
    }
}
