using System.Text.Json;

namespace CityOps.Web.Features.Administration.Audit;

/// <summary>One field of an entry's before/after state; <see cref="Changed"/> when the two differ.</summary>
/// <param name="Path">Nested fields joined with dots, array items as [i], e.g. <c>email.to[0]</c>.</param>
/// <param name="Before">The JSON text of the value before, null when the field did not exist.</param>
public sealed record AuditField(string Path, string? Before, string? After)
{
    public bool Changed => Before != After;
}

/// <summary>Lines up an audit entry's before and after JSON field by field, so a reader sees what changed.</summary>
public static class AuditDiff
{
    /// <summary>The fields of both documents in the order they first appear; a document that is not JSON shows as one field.</summary>
    public static IReadOnlyList<AuditField> Compare(string? before, string? after)
    {
        var left = Flatten(before);
        var right = Flatten(after);
        var paths = left.Keys.Concat(right.Keys).Distinct(StringComparer.Ordinal);
        return paths.Select(p => new AuditField(p, left.GetValueOrDefault(p), right.GetValueOrDefault(p))).ToArray();
    }

    private static Dictionary<string, string> Flatten(string? json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(json))
        {
            return fields;
        }
        try
        {
            using var doc = JsonDocument.Parse(json);
            Walk(doc.RootElement, "", fields);
        }
        catch (JsonException)
        {
            fields["(value)"] = json;
        }
        return fields;
    }

    private static void Walk(JsonElement element, string path, Dictionary<string, string> fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when element.EnumerateObject().Any():
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", fields);
                }
                break;
            case JsonValueKind.Array when element.GetArrayLength() > 0:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{i++}]", fields);
                }
                break;
            default:
                fields[path.Length == 0 ? "(value)" : path] = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
                break;
        }
    }
}
