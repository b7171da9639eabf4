using System.Text.Json;
using CityOps.Analytics;
using CityOps.Web.Features.ControlRoom;

namespace CityOps.Web.Features.Plant;

/// <summary>A plant schematic: production lines top to bottom, machines left to right in flow order.</summary>
public sealed record PlantLayout(string Site, string Name, double Width, double Height, IReadOnlyList<string> Values, IReadOnlyList<PlantLine> Lines);

public sealed record PlantLine(string Key, string Name, double Y, IReadOnlyList<PlantMachine> Machines);

public sealed record PlantMachine(string Key, string Name, double X, double Width, double Height);

/// <summary>Loads a site's schematic from <c>wwwroot/plant/{site}.json</c>, or lays its lines out in a grid.</summary>
public interface IPlantLayouts
{
    PlantLayout For(ScreenSite site, ScreenWorld world);
}

internal sealed class PlantLayouts(IWebHostEnvironment environment, ILogger<PlantLayouts> logger) : IPlantLayouts
{
    /// <summary>The values a machine box shows when no layout names them.</summary>
    public static readonly IReadOnlyList<string> DefaultValues = ["motor_temp", "vibration", "current"];
    private const double MachineWidth = 215;
    private const double MachineHeight = 180;
    private const double Gap = 30;
    private const double LineGap = 50;
    private const double Top = 40;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public PlantLayout For(ScreenSite site, ScreenWorld world)
    {
        var file = environment.WebRootFileProvider.GetFileInfo($"plant/{site.Key}.json");
        if (file.Exists)
        {
            try
            {
                using var stream = file.CreateReadStream();
                if (JsonSerializer.Deserialize<PlantLayout>(stream, Json) is { Lines.Count: > 0 } layout)
                {
                    return layout;
                }
            }
            catch (JsonException e)
            {
                logger.LogError(e, "The plant layout {File} cannot be read; the plant view lays out {Site} by itself", file.Name, site.Key);
            }
        }
        return Generate(site, world);
    }

    /// <summary>Every line of the site as a row of its machines, in key order.</summary>
    internal static PlantLayout Generate(ScreenSite site, ScreenWorld world)
    {
        var assets = world.Assets.Where(a => a.SiteId == site.Id).ToList();
        var lines = assets.Where(a => a.Type == AssetType.Line).OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        var rows = lines.Select((line, l) => new PlantLine(line.Key, line.Name, Top + l * (MachineHeight + LineGap),
                assets.Where(a => a.ParentId == line.Id && a.Type == AssetType.Machine)
                    .OrderBy(a => a.Key, StringComparer.Ordinal)
                    .Select((m, i) => new PlantMachine(m.Key, m.Name, 20 + i * (MachineWidth + Gap), MachineWidth, MachineHeight))
                    .ToList()))
            .ToList();
        var widest = rows.Select(r => r.Machines.Count).DefaultIfEmpty(0).Max();
        return new PlantLayout(site.Key, site.Name, Math.Max(widest * (MachineWidth + Gap) + 20, 600), Top + rows.Count * (MachineHeight + LineGap),
            DefaultValues, rows);
    }
}
