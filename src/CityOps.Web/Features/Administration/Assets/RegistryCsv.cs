using System.Globalization;
using System.Security.Claims;
using CityOps.Analytics;
using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Cluster;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>Which CSV file: assets or sensors.</summary>
public enum RegistryCsvKind { Assets, Sensors }

/// <summary>What an import does (or would do) with one row.</summary>
public enum ImportAction { Create, Update, Unchanged, Invalid }

/// <summary>A problem with one row: its line in the file (the header is line 1), the column, and what is wrong.</summary>
public sealed record ImportError(int Row, string Column, string Message);

public sealed record ImportRow(int Row, string Key, ImportAction Action);

/// <summary>How far an apply has come, for a progress bar.</summary>
public sealed record ImportProgress(int Done, int Total);

/// <summary>The preview of an import (<see cref="Applied"/> false) or what it did.</summary>
public sealed record ImportReport(RegistryCsvKind Kind, bool Applied, IReadOnlyList<ImportRow> Rows, IReadOnlyList<ImportError> Errors)
{
    public int Created => Rows.Count(r => r.Action == ImportAction.Create);
    public int Updated => Rows.Count(r => r.Action == ImportAction.Update);
    public int Unchanged => Rows.Count(r => r.Action == ImportAction.Unchanged);
    public int Invalid => Rows.Count(r => r.Action == ImportAction.Invalid);
}

/// <summary>A parsed file: rows whose fields could be read, and the errors of those that could not.</summary>
public sealed record ParsedCsv<T>(IReadOnlyList<(int Row, T Input)> Rows, IReadOnlyList<ImportError> Errors, IReadOnlyList<int> BadRows);

/// <summary>
/// CSV import and export of assets and sensors. An import is previewed first (every row checked against the registry
/// and the rows before it, nothing written); applying it creates or updates the valid rows by key, all in one
/// transaction, and skips the rows with errors, which the report lists. Rows equal to what is registered are left
/// alone, so importing an export changes nothing.
/// </summary>
public sealed class RegistryCsv(IDbContextFactory<CityOpsDbContext> dbFactory, AuditLog audit, ChangeSignals signals)
{
    public static readonly string[] AssetColumns = ["key", "site_key", "parent_key", "name", "type", "latitude", "longitude"];
    public static readonly string[] SensorColumns = ["key", "asset_key", "metric", "unit", "min", "max", "interval_seconds", "latitude", "longitude"];

    /// <summary>Largest file accepted; the registry of a large city fits many times over.</summary>
    public const long MaxBytes = 20 * 1024 * 1024;
    private const int SaveEvery = 200;

    private static CsvReaderOptions ReaderOptions => new() { TrimWhitespace = true, TrackLineNumbers = true };

    // ---- Export ----

    public async Task<string> ExportAssetsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Key, ct);
        var assets = await db.Assets.AsNoTracking().ToListAsync(ct);
        var byId = assets.ToDictionary(a => a.Id);
        var children = assets.Where(a => a.ParentId is not null).ToLookup(a => a.ParentId!.Value);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        await using var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader(AssetColumns);
        // Parents before children, so the file imports in one pass anywhere.
        var stack = new Stack<Asset>(assets.Where(a => a.ParentId is null || !byId.ContainsKey(a.ParentId.Value)).OrderByDescending(a => a.Key, StringComparer.Ordinal));
        while (stack.Count > 0)
        {
            var a = stack.Pop();
            csv.WriteField(a.Key);
            csv.WriteField(sites[a.SiteId]);
            csv.WriteField(a.ParentId is { } p && byId.TryGetValue(p, out var parent) ? parent.Key : "");
            csv.WriteField(a.Name);
            csv.WriteField(a.Type.ToString());
            csv.WriteField(Number(a.Latitude));
            csv.WriteField(Number(a.Longitude));
            await csv.EndRecordAsync(ct);
            foreach (var child in children[a.Id].OrderByDescending(c => c.Key, StringComparer.Ordinal))
            {
                stack.Push(child);
            }
        }
        await csv.FlushAsync(ct);
        return text.ToString();
    }

    public async Task<string> ExportSensorsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sensors = await db.Sensors.AsNoTracking().OrderBy(s => s.Key)
            .Select(s => new SensorInput(s.Key, s.Asset!.Key, s.Metric, s.Unit, s.Min, s.Max, s.IntervalSeconds, s.Latitude, s.Longitude))
            .ToListAsync(ct);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        await using var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true);
        csv.WriteHeader(SensorColumns);
        foreach (var s in sensors.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            csv.WriteField(s.Key);
            csv.WriteField(s.AssetKey);
            csv.WriteField(s.Metric.ToString());
            csv.WriteField(s.Unit);
            csv.WriteField(Number(s.Min));
            csv.WriteField(Number(s.Max));
            csv.WriteField(Number(s.IntervalSeconds));
            csv.WriteField(s.Latitude is { } lat ? Number(lat) : "");
            csv.WriteField(s.Longitude is { } lon ? Number(lon) : "");
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
        return text.ToString();
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // ---- Parse ----

    public static ParsedCsv<AssetInput> ParseAssets(TextReader reader) => Parse(reader, AssetColumns, (row, errors) =>
    {
        var type = Enum<AssetType>(row, "type", errors);
        var lat = Double(row, "latitude", errors, required: true);
        var lon = Double(row, "longitude", errors, required: true);
        var parent = row.Get("parent_key");
        return new AssetInput(row.Get("key"), row.Get("site_key"), parent.Length == 0 ? null : parent, row.Get("name"), type, lat ?? 0, lon ?? 0);
    });

    public static ParsedCsv<SensorInput> ParseSensors(TextReader reader) => Parse(reader, SensorColumns, (row, errors) =>
    {
        var metric = Enum<MetricKind>(row, "metric", errors);
        var min = Double(row, "min", errors, required: true);
        var max = Double(row, "max", errors, required: true);
        var interval = Double(row, "interval_seconds", errors, required: true);
        var lat = Double(row, "latitude", errors, required: false);
        var lon = Double(row, "longitude", errors, required: false);
        return new SensorInput(row.Get("key"), row.Get("asset_key"), metric, row.Get("unit"), min ?? 0, max ?? 0, interval ?? 0, lat, lon);
    });

    private sealed class CsvRow(CsvReader csv)
    {
        /// <summary>The line of the file the record starts on, as a spreadsheet numbers it (the header is 1).</summary>
        public int Number => (int)csv.LineNumber;

        public string Get(string column) => csv.TryGetFieldIndex(column, out var index) ? csv.GetString(index) : "";
    }

    private static ParsedCsv<T> Parse<T>(TextReader reader, string[] columns, Func<CsvRow, List<(string Column, string Message)>, T> read)
    {
        var rows = new List<(int, T)>();
        var errors = new List<ImportError>();
        var bad = new List<int>();
        using var csv = CsvReader.Create(reader, ReaderOptions, leaveOpen: true);
        csv.ReadHeader();
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        if (header.Count == 0)
        {
            errors.Add(new(1, "", $"The file is empty; the first line must name the columns: {string.Join(",", columns)}."));
            return new(rows, errors, bad);
        }
        var missing = columns.Where(c => !header.Contains(c) && c is not ("latitude" or "longitude" or "parent_key")).ToList();
        if (missing.Count > 0)
        {
            errors.Add(new(1, string.Join(",", missing),
                $"The header lacks the column(s) {string.Join(", ", missing)}; expected: {string.Join(",", columns)}."));
            return new(rows, errors, bad);
        }
        var row = new CsvRow(csv);
        while (csv.Read())
        {
            if (Enumerable.Range(0, csv.FieldCount).All(i => csv.IsEmpty(i)))
            {
                continue;
            }
            var fieldErrors = new List<(string Column, string Message)>();
            var input = read(row, fieldErrors);
            if (fieldErrors.Count > 0)
            {
                errors.AddRange(fieldErrors.Select(e => new ImportError(row.Number, e.Column, e.Message)));
                bad.Add(row.Number);
            }
            else
            {
                rows.Add((row.Number, input));
            }
        }
        return new(rows, errors, bad);
    }

    private static TEnum Enum<TEnum>(CsvRow row, string column, List<(string, string)> errors) where TEnum : struct, Enum
    {
        var text = row.Get(column);
        if (System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !int.TryParse(text, out _))
        {
            return value;
        }
        errors.Add((column, $"'{text}' is not a {column}; use one of: {string.Join(", ", System.Enum.GetNames<TEnum>())}."));
        return default;
    }

    private static double? Double(CsvRow row, string column, List<(string, string)> errors, bool required)
    {
        var text = row.Get(column);
        if (text.Length == 0)
        {
            if (required)
            {
                errors.Add((column, $"A value for {column} is required."));
            }
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        errors.Add((column, $"'{text}' is not a number (use a dot for decimals, e.g. 12.5)."));
        return null;
    }

    // ---- Preview and apply ----

    public Task<ImportReport> PreviewAssetsAsync(ParsedCsv<AssetInput> parsed, CancellationToken ct = default) =>
        RunAssetsAsync(null, parsed, null, ct);

    public Task<ImportReport> ApplyAssetsAsync(ClaimsPrincipal user, ParsedCsv<AssetInput> parsed, IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        RunAssetsAsync(AdminGuard.Demand(user), parsed, progress, ct);

    public Task<ImportReport> PreviewSensorsAsync(ParsedCsv<SensorInput> parsed, CancellationToken ct = default) =>
        RunSensorsAsync(null, parsed, null, ct);

    public Task<ImportReport> ApplySensorsAsync(ClaimsPrincipal user, ParsedCsv<SensorInput> parsed, IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        RunSensorsAsync(AdminGuard.Demand(user), parsed, progress, ct);

    /// <summary>Checks every row, and with an <paramref name="actor"/> writes the valid ones in one transaction.</summary>
    private async Task<ImportReport> RunAssetsAsync(string? actor, ParsedCsv<AssetInput> parsed, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = actor is null ? null : await db.Database.BeginTransactionAsync(ct);
        var world = await AssetWorld.LoadAsync(db, ct);
        var errors = parsed.Errors.ToList();
        var rows = parsed.BadRows.Select(r => new ImportRow(r, "", ImportAction.Invalid)).ToList();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var done = 0;
        foreach (var (number, raw) in ParentsFirst(parsed.Rows))
        {
            var input = AssetRegistry.Trim(raw);
            var rowErrors = RegistryValidation.Asset(input).ToList();
            if (rowErrors.Count == 0 && seen.TryGetValue(input.Key, out var first))
            {
                rowErrors.Add(new("key", $"Key '{input.Key}' is already on row {first}; each key may appear once."));
            }
            var existing = rowErrors.Count == 0 ? world.Find(input.Key) : null;
            if (rowErrors.Count == 0)
            {
                rowErrors.AddRange(world.Check(input, isNew: existing is null));
            }
            seen.TryAdd(input.Key, number);
            if (rowErrors.Count > 0)
            {
                errors.AddRange(rowErrors.Select(e => new ImportError(number, Column(e.Field), e.Message)));
                rows.Add(new(number, input.Key, ImportAction.Invalid));
            }
            else
            {
                var before = existing is null ? null : world.ToInput(existing);
                var action = before is null ? ImportAction.Create : before == input ? ImportAction.Unchanged : ImportAction.Update;
                rows.Add(new(number, input.Key, action));
                if (action != ImportAction.Unchanged)
                {
                    var asset = existing ?? new Asset { Key = input.Key, Name = input.Name };
                    if (existing is null && actor is not null)
                    {
                        db.Assets.Add(asset);
                    }
                    world.Apply(asset, input);
                    if (actor is not null)
                    {
                        audit.Add(db, actor, AuditCategory.Administration, existing is null ? "asset.created" : "asset.updated",
                            AssetRegistry.AssetTarget(input.Key), before, input, "CSV import");
                    }
                }
            }
            done++;
            if (actor is not null && done % SaveEvery == 0)
            {
                await db.SaveChangesAsync(ct);
                progress?.Report(new(done, parsed.Rows.Count));
            }
        }
        return await FinishAsync(db, transaction, RegistryCsvKind.Assets, actor, rows, errors, progress, parsed.Rows.Count, ct);
    }

    private async Task<ImportReport> RunSensorsAsync(string? actor, ParsedCsv<SensorInput> parsed, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = actor is null ? null : await db.Database.BeginTransactionAsync(ct);
        var assets = await db.Assets.AsNoTracking().ToDictionaryAsync(a => a.Key, a => a.Id, StringComparer.Ordinal, ct);
        var assetKeys = assets.ToDictionary(a => a.Value, a => a.Key);
        var sensors = await db.Sensors.ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, ct);
        var errors = parsed.Errors.ToList();
        var rows = parsed.BadRows.Select(r => new ImportRow(r, "", ImportAction.Invalid)).ToList();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var done = 0;
        foreach (var (number, raw) in parsed.Rows)
        {
            var input = AssetRegistry.Trim(raw);
            var rowErrors = RegistryValidation.Sensor(input).ToList();
            if (rowErrors.Count == 0 && seen.TryGetValue(input.Key, out var first))
            {
                rowErrors.Add(new("key", $"Key '{input.Key}' is already on row {first}; each key may appear once."));
            }
            if (rowErrors.Count == 0 && !assets.ContainsKey(input.AssetKey))
            {
                rowErrors.Add(new("assetKey", $"There is no asset '{input.AssetKey}'; import the assets first."));
            }
            seen.TryAdd(input.Key, number);
            if (rowErrors.Count > 0)
            {
                errors.AddRange(rowErrors.Select(e => new ImportError(number, Column(e.Field), e.Message)));
                rows.Add(new(number, input.Key, ImportAction.Invalid));
            }
            else
            {
                sensors.TryGetValue(input.Key, out var existing);
                var before = existing is null ? null : AssetRegistry.ToInput(existing, assetKeys[existing.AssetId]);
                var action = before is null ? ImportAction.Create : before == input ? ImportAction.Unchanged : ImportAction.Update;
                rows.Add(new(number, input.Key, action));
                if (action != ImportAction.Unchanged && actor is not null)
                {
                    var sensor = existing ?? db.Sensors.Add(new Sensor { Key = input.Key, Unit = input.Unit }).Entity;
                    sensor.AssetId = assets[input.AssetKey];
                    sensor.Metric = input.Metric;
                    sensor.Unit = input.Unit;
                    sensor.Min = input.Min;
                    sensor.Max = input.Max;
                    sensor.IntervalSeconds = input.IntervalSeconds;
                    sensor.Latitude = input.Latitude;
                    sensor.Longitude = input.Longitude;
                    sensors[input.Key] = sensor;
                    audit.Add(db, actor, AuditCategory.Administration, existing is null ? "sensor.created" : "sensor.updated",
                        AssetRegistry.SensorTarget(input.Key), before, input, "CSV import");
                }
            }
            done++;
            if (actor is not null && done % SaveEvery == 0)
            {
                await db.SaveChangesAsync(ct);
                progress?.Report(new(done, parsed.Rows.Count));
            }
        }
        return await FinishAsync(db, transaction, RegistryCsvKind.Sensors, actor, rows, errors, progress, parsed.Rows.Count, ct);
    }

    private async Task<ImportReport> FinishAsync(
        CityOpsDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction, RegistryCsvKind kind, string? actor,
        List<ImportRow> rows, List<ImportError> errors, IProgress<ImportProgress>? progress, int total, CancellationToken ct)
    {
        rows.Sort((a, b) => a.Row.CompareTo(b.Row));
        errors.Sort((a, b) => a.Row.CompareTo(b.Row));
        var report = new ImportReport(kind, actor is not null, rows, errors);
        if (actor is null || transaction is null)
        {
            return report;
        }
        if (report.Created + report.Updated > 0)
        {
            audit.Add(db, actor, AuditCategory.Administration, kind == RegistryCsvKind.Assets ? "assets.imported" : "sensors.imported",
                kind == RegistryCsvKind.Assets ? "assets" : "sensors", null,
                new { report.Created, report.Updated, report.Unchanged, report.Invalid }, "CSV import");
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        progress?.Report(new(total, total));
        if (report.Created + report.Updated > 0)
        {
            await signals.PublishAsync(ChangeTopics.Registry, "", ct);
        }
        return report;
    }

    /// <summary>Orders rows so a parent created by the file comes before its children, whatever the file's order.</summary>
    private static IEnumerable<(int Row, AssetInput Input)> ParentsFirst(IReadOnlyList<(int Row, AssetInput Input)> rows)
    {
        var byKey = new Dictionary<string, (int Row, AssetInput Input)>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            byKey.TryAdd(r.Input.Key.Trim(), r);
        }
        var emitted = new HashSet<int>();
        foreach (var r in rows)
        {
            var chain = new Stack<(int Row, AssetInput Input)>();
            var visiting = new HashSet<int>();
            for (var c = r; emitted.Count < rows.Count && !emitted.Contains(c.Row) && visiting.Add(c.Row);)
            {
                chain.Push(c);
                if (c.Input.ParentKey is not { } pk || !byKey.TryGetValue(pk.Trim(), out var parent))
                {
                    break;
                }
                c = parent;
            }
            // A loop within the file stops the walk; its rows are then checked (and refused) in file order.
            while (chain.Count > 0)
            {
                var next = chain.Pop();
                if (emitted.Add(next.Row))
                {
                    yield return next;
                }
            }
        }
    }

    /// <summary>The CSV column of a validation field (assetKey → asset_key).</summary>
    internal static string Column(string field) => string.Concat(field.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));
}
