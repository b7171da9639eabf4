using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using CityOps.Web.Data;
using CityOps.Web.Features.Audit;
using CsvHelper;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Administration.Audit;

/// <summary>
/// Which audit entries to show. Every field is optional; text fields match case-insensitively anywhere in the value
/// ("alarm." finds every alarm transition). The same filter is the page's URL query, so a filtered view can be shared
/// as a link. <see cref="From"/> is inclusive, <see cref="To"/> exclusive.
/// </summary>
public sealed record AuditFilter(
    DateTime? From = null, DateTime? To = null, string? Actor = null, AuditCategory? Category = null, string? Action = null, string? Target = null)
{
    public static readonly AuditFilter None = new();

    /// <summary>The filter as query-string pairs (UTC times in ISO 8601), empty fields left out.</summary>
    public Dictionary<string, string?> ToQuery() => new()
    {
        ["from"] = From?.ToString("O", CultureInfo.InvariantCulture),
        ["to"] = To?.ToString("O", CultureInfo.InvariantCulture),
        ["actor"] = Blank(Actor),
        ["category"] = Category?.ToString(),
        ["action"] = Blank(Action),
        ["target"] = Blank(Target),
    };

    /// <summary>Reads a filter from a query string; values that do not parse are ignored rather than failing the page.</summary>
    public static AuditFilter FromQuery(IReadOnlyDictionary<string, string?> query) => new(
        Time(query.GetValueOrDefault("from")),
        Time(query.GetValueOrDefault("to")),
        Blank(query.GetValueOrDefault("actor")),
        Enum.TryParse<AuditCategory>(query.GetValueOrDefault("category"), ignoreCase: true, out var c) && Enum.IsDefined(c) ? c : null,
        Blank(query.GetValueOrDefault("action")),
        Blank(query.GetValueOrDefault("target")));

    public static AuditFilter FromUri(string uri)
    {
        var query = uri.Split('?', 2) is [_, var q] ? QueryHelpers.ParseQuery(q.Split('#')[0]) : [];
        return FromQuery(query.ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.OrdinalIgnoreCase));
    }

    private static DateTime? Time(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>One page of entries, newest first; <see cref="NextBefore"/> continues with older entries (null: no more).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? NextBefore);

/// <summary>The audit page's reads; the page depends on this so its tests need no database.</summary>
public interface IAuditReader
{
    /// <summary>Entries matching <paramref name="filter"/> older than id <paramref name="before"/> (null: the newest), newest first.</summary>
    Task<AuditPage> SearchAsync(ClaimsPrincipal user, AuditFilter filter, long? before, int pageSize, CancellationToken cancellationToken);
}

/// <summary>
/// Reads the audit log for administrators: filtered, newest first, in keyset pages on the id (stable while entries are
/// appended, and as fast on the last page as on the first), and as a streamed CSV of the whole filtered set.
/// </summary>
public sealed class AuditQueries(IDbContextFactory<CityOpsDbContext> dbFactory) : IAuditReader
{
    public const int MaxPageSize = 500;

    public async Task<AuditPage> SearchAsync(ClaimsPrincipal user, AuditFilter filter, long? before, int pageSize, CancellationToken cancellationToken)
    {
        AdminGuard.Demand(user);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db, filter);
        if (before is { } id)
        {
            query = query.Where(e => e.Id < id);
        }
        // One more than asked tells whether there is an older page without counting the whole log.
        var rows = await query.OrderByDescending(e => e.Id).Take(pageSize + 1).ToListAsync(cancellationToken);
        var more = rows.Count > pageSize;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        return new AuditPage(rows, more ? rows[^1].Id : null);
    }

    /// <summary>Writes every entry matching <paramref name="filter"/> as CSV, newest first, reading and writing in batches.</summary>
    public async Task WriteCsvAsync(ClaimsPrincipal user, AuditFilter filter, Stream output, CancellationToken cancellationToken)
    {
        AdminGuard.Demand(user);
        // Reasons and targets are typed by people; a spreadsheet must show them as text, never run them as formulas.
        await using var csv = CsvWriter.Create(output, new CsvWriterOptions { Injection = CsvInjection.Escape }, leaveOpen: true);
        await csv.WriteRecordAsync(["id", "at", "actor", "category", "action", "target", "before", "after", "reason"], cancellationToken);
        await foreach (var e in StreamAsync(filter, cancellationToken))
        {
            await csv.WriteRecordAsync(
                [
                    e.Id.ToString(CultureInfo.InvariantCulture), e.At.ToString("O", CultureInfo.InvariantCulture), e.Actor, e.Category.ToString(),
                    e.Action, e.Target, e.Before ?? "", e.After ?? "", e.Reason ?? "",
                ],
                cancellationToken);
        }
        await csv.FlushAsync(cancellationToken);
    }

    private async IAsyncEnumerable<AuditEntry> StreamAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int batch = 1000;
        long? before = null;
        while (true)
        {
            List<AuditEntry> rows;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var query = Filtered(db, filter);
                if (before is { } id)
                {
                    query = query.Where(e => e.Id < id);
                }
                rows = await query.OrderByDescending(e => e.Id).Take(batch).ToListAsync(cancellationToken);
            }
            foreach (var row in rows)
            {
                yield return row;
            }
            if (rows.Count < batch)
            {
                yield break;
            }
            before = rows[^1].Id;
        }
    }

    private static IQueryable<AuditEntry> Filtered(CityOpsDbContext db, AuditFilter f)
    {
        var query = db.AuditLog.AsNoTracking();
        if (f.From is { } from)
        {
            query = query.Where(e => e.At >= from);
        }
        if (f.To is { } to)
        {
            query = query.Where(e => e.At < to);
        }
        if (f.Actor is { } actor)
        {
            query = query.Where(e => EF.Functions.ILike(e.Actor, "%" + Escape(actor) + "%"));
        }
        if (f.Category is { } category)
        {
            query = query.Where(e => e.Category == category);
        }
        if (f.Action is { } action)
        {
            query = query.Where(e => EF.Functions.ILike(e.Action, "%" + Escape(action) + "%"));
        }
        if (f.Target is { } target)
        {
            query = query.Where(e => EF.Functions.ILike(e.Target, "%" + Escape(target) + "%"));
        }
        return query;
    }

    /// <summary>The user's text is matched literally: % and _ are not wildcards.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
