using System.Text.Json.Serialization;
using CityOps.Analytics;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>A site as an administrator edits it. The key cannot change once the site exists.</summary>
public sealed record SiteInput(string Key, string Name, [property: JsonConverter(typeof(JsonStringEnumConverter<SiteKind>))] SiteKind Kind, double Latitude, double Longitude, int Zoom, string TimeZone);

/// <summary>An asset as an administrator edits it; <see cref="ParentKey"/> null puts it at the top of its site.</summary>
public sealed record AssetInput(string Key, string SiteKey, string? ParentKey, string Name, [property: JsonConverter(typeof(JsonStringEnumConverter<AssetType>))] AssetType Type, double Latitude, double Longitude);

/// <summary>A sensor as an administrator edits it; without a location it shows at its asset's.</summary>
public sealed record SensorInput(
    string Key, string AssetKey, [property: JsonConverter(typeof(JsonStringEnumConverter<MetricKind>))] MetricKind Metric, string Unit, double Min, double Max, double IntervalSeconds, double? Latitude, double? Longitude);

/// <summary>An actuator as an administrator edits it.</summary>
public sealed record ActuatorInput(string Key, string AssetKey, [property: JsonConverter(typeof(JsonStringEnumConverter<ActuatorKind>))] ActuatorKind Kind, string Unit, double Min, double Max);

/// <summary>The registry as the administration page shows it: sites, each with its asset hierarchy.</summary>
public sealed record RegistryTree(IReadOnlyList<SiteNode> Sites)
{
    public static readonly RegistryTree Empty = new([]);

    public IEnumerable<AssetNode> AllAssets => Sites.SelectMany(s => s.Assets.SelectMany(a => a.SelfAndDescendants()));

    public SiteNode? FindSite(string key) => Sites.FirstOrDefault(s => s.Site.Key == key);

    public AssetNode? FindAsset(string key) => AllAssets.FirstOrDefault(a => a.Asset.Key == key);
}

public sealed record SiteNode(SiteInput Site, IReadOnlyList<AssetNode> Assets);

public sealed record AssetNode(AssetInput Asset, int SensorCount, int ActuatorCount, IReadOnlyList<AssetNode> Children)
{
    public IEnumerable<AssetNode> SelfAndDescendants()
    {
        var stack = new Stack<AssetNode>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            foreach (var child in node.Children)
            {
                stack.Push(child);
            }
        }
    }
}

/// <summary>An asset's sensors and actuators, for its details panel.</summary>
public sealed record AssetEquipment(IReadOnlyList<SensorInput> Sensors, IReadOnlyList<ActuatorInput> Actuators);

/// <summary>One thing wrong with an input: which field, and what to do about it.</summary>
public sealed record RegistryError(string Field, string Message);

/// <summary>The input was refused; <see cref="Errors"/> says why, field by field.</summary>
public sealed class RegistryValidationException(IReadOnlyList<RegistryError> errors)
    : Exception(string.Join(" ", errors.Select(e => e.Message)))
{
    public IReadOnlyList<RegistryError> Errors { get; } = errors;
}

/// <summary>The thing named does not exist (any more).</summary>
public sealed class RegistryNotFoundException(string message) : Exception(message);

/// <summary>The operation is refused in the current state of the registry (e.g. deleting an asset that has children).</summary>
public sealed class RegistryConflictException(string message) : Exception(message);

/// <summary>
/// What deleting an asset or a sensor would do, counted from the database, and the explanation the page and the API
/// show before anything is deleted.
/// </summary>
public sealed record DeletionPlan(
    string Target, int Children, IReadOnlyList<string> SensorKeys, IReadOnlyList<string> ActuatorKeys,
    long RawReadings, long MinuteRollups, long HourlyRollups, int Alarms, string Explanation)
{
    /// <summary>False when the asset has children: they must be moved or deleted first.</summary>
    public bool Allowed => Children == 0;

    /// <summary>True when deleting also deletes sensors or actuators, which the caller must confirm.</summary>
    public bool DeletesEquipment => SensorKeys.Count > 0 || ActuatorKeys.Count > 0;
}
