using System.Text.Json;
using System.Text.Json.Nodes;
using CityOps.Analytics.Alerts;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// Moves rule sets between installations as one JSON document,
/// <c>{ "format": "cityops.alert-rules", "version": 1, "exportedAt": ..., "rules": [definitions] }</c>, in the
/// definitions' stored form (<see cref="AlertRuleJson"/>). Import reads each rule on its own, so one bad rule is
/// reported and the others still go in.
/// </summary>
public sealed class RuleTransferService(AlertRuleStore store, TimeProvider time)
{
    public const string Format = "cityops.alert-rules";
    public const int Version = 1;

    /// <summary>The change note of every version an import saves.</summary>
    public const string ImportNote = "Imported";

    /// <summary>The rules (all that are not deleted, or those of <paramref name="keys"/>) as an export document.</summary>
    /// <exception cref="KeyNotFoundException">A requested key names no rule.</exception>
    public async Task<string> ExportAsync(IReadOnlyCollection<string>? keys, CancellationToken ct)
    {
        var rules = await store.ListAsync(ct);
        IEnumerable<AlertRule> chosen = rules;
        if (keys is { Count: > 0 })
        {
            var byKey = rules.ToDictionary(r => r.Key, StringComparer.Ordinal);
            var missing = keys.Where(k => !byKey.ContainsKey(k)).ToList();
            if (missing.Count > 0)
            {
                throw new KeyNotFoundException($"There is no alert rule {string.Join(", ", missing.Select(k => $"'{k}'"))}.");
            }
            chosen = keys.Distinct(StringComparer.Ordinal).Select(k => byKey[k]);
        }
        var document = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["exportedAt"] = time.GetUtcNow().UtcDateTime,
            // The row's enabled flag is what runs; the export says so inside each definition.
            ["rules"] = new JsonArray([.. chosen.Select(r => JsonSerializer.SerializeToNode(r.Definition with { Enabled = r.Enabled }, AlertRuleJson.Options))]),
        };
        return document.ToJsonString(new JsonSerializerOptions(AlertRuleJson.Options) { WriteIndented = true });
    }

    /// <summary>
    /// Reads an export document and says, per rule, whether it would create, update, leave unchanged or reject it
    /// (with the JSON error or validation problems). Unless <paramref name="dryRun"/>, the created and updated rules
    /// are saved in one transaction, each as a new version with the change note "Imported".
    /// </summary>
    /// <exception cref="FormatException">The file is not an alert-rule export (not JSON, another format or version, no rules).</exception>
    public async Task<RuleImportReport> ImportAsync(string json, string user, bool dryRun, CancellationToken ct)
    {
        var elements = ReadDocument(json);
        var existing = (await store.ListAsync(ct)).ToDictionary(r => r.Key, StringComparer.Ordinal);
        var parsed = elements.Select((element, i) => Parse(i + 1, element)).ToList();

        var duplicates = parsed.Where(p => p.Key is not null).GroupBy(p => p.Key!, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Position).ToList(), StringComparer.Ordinal);
        var lines = new List<RuleImportLine>(parsed.Count);
        var toSave = new List<AlertRuleDefinition>();
        foreach (var rule in parsed)
        {
            var problems = new List<string>(rule.Problems);
            if (rule.Key is not null && duplicates.TryGetValue(rule.Key, out var positions))
            {
                problems.Add($"The key '{rule.Key}' appears {positions.Count} times in the file (rules {string.Join(", ", positions)}); keep one.");
            }
            if (problems.Count > 0 || rule.Definition is null)
            {
                lines.Add(new RuleImportLine(rule.Position, rule.Key, RuleImportOutcome.Rejected, problems));
                continue;
            }
            RuleImportOutcome outcome;
            if (!existing.TryGetValue(rule.Definition.Key, out var current))
            {
                outcome = RuleImportOutcome.Created;
            }
            else if (AlertRuleJson.Serialize(current.Definition with { Enabled = current.Enabled }) == AlertRuleJson.Serialize(rule.Definition))
            {
                outcome = RuleImportOutcome.Unchanged;
            }
            else
            {
                outcome = RuleImportOutcome.Updated;
            }
            if (outcome != RuleImportOutcome.Unchanged)
            {
                toSave.Add(rule.Definition);
            }
            lines.Add(new RuleImportLine(rule.Position, rule.Key, outcome, []));
        }
        if (!dryRun && toSave.Count > 0)
        {
            await store.SaveManyAsync(toSave, user, ImportNote, "rule.imported", ct);
        }
        return new RuleImportReport(dryRun, lines);
    }

    private static List<JsonElement> ReadDocument(string json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new FormatException($"The file is not valid JSON: {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"An alert-rule export is a JSON object with \"format\": \"{Format}\"; this file holds a {root.ValueKind}.");
        }
        if (!root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != Format)
        {
            throw new FormatException($"The file is not an alert-rule export: its \"format\" must be \"{Format}\".");
        }
        if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var v) || v != Version)
        {
            throw new FormatException($"The file's \"version\" must be {Version}; this installation reads version {Version} exports only.");
        }
        if (!root.TryGetProperty("rules", out var rules) || rules.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("The file has no \"rules\" array.");
        }
        return [.. rules.EnumerateArray()];
    }

    private static ParsedRule Parse(int position, JsonElement element)
    {
        string? key = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String
            ? k.GetString()
            : null;
        AlertRuleDefinition? definition;
        try
        {
            definition = element.Deserialize<AlertRuleDefinition>(AlertRuleJson.Options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return new ParsedRule(position, key, null, [$"Rule {position} cannot be read: {e.Message}"]);
        }
        if (definition is null)
        {
            return new ParsedRule(position, key, null, [$"Rule {position} is null."]);
        }
        var problems = RuleValidation.Validate(definition).Select(p => p.ToString()).ToList();
        return new ParsedRule(position, key, problems.Count == 0 ? definition : null, problems);
    }

    private sealed record ParsedRule(int Position, string? Key, AlertRuleDefinition? Definition, IReadOnlyList<string> Problems);
}
