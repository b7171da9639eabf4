using CityOps.Web.Data;
using CityOps.Web.Features.Assets;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Administration.Assets;

/// <summary>
/// Every site and asset of the registry, tracked by one context, for the checks that need the whole hierarchy
/// (unique keys, same-site parents, no cycles). Changes go through <see cref="Apply"/>, so a batch of rows sees the
/// rows before it: an import may name a parent that an earlier row of the same file creates.
/// </summary>
internal sealed class AssetWorld
{
    private readonly Dictionary<string, Site> _sites;
    private readonly Dictionary<string, Asset> _assets;

    private AssetWorld(Dictionary<string, Site> sites, Dictionary<string, Asset> assets)
    {
        _sites = sites;
        _assets = assets;
    }

    public static async Task<AssetWorld> LoadAsync(CityOpsDbContext db, CancellationToken ct)
    {
        var sites = await db.Sites.ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, ct);
        // Loading all assets into one context fixes up every Parent/Children/Site navigation.
        var assets = await db.Assets.ToDictionaryAsync(a => a.Key, StringComparer.Ordinal, ct);
        return new AssetWorld(sites, assets);
    }

    public Asset? Find(string key) => _assets.GetValueOrDefault(key);

    public bool SiteExists(string key) => _sites.ContainsKey(key);

    public AssetInput ToInput(Asset asset) => AssetRegistry.ToInput(asset, asset.Site!.Key, asset.Parent?.Key);

    /// <summary>The checks that need the registry; <see cref="RegistryValidation.Asset"/> has passed already.</summary>
    public List<RegistryError> Check(AssetInput input, bool isNew)
    {
        var errors = new List<RegistryError>();
        _assets.TryGetValue(input.Key, out var existing);
        if (isNew && existing is not null)
        {
            errors.Add(new("key", $"An asset with key '{input.Key}' already exists."));
        }
        if (!_sites.ContainsKey(input.SiteKey))
        {
            errors.Add(new("siteKey", $"There is no site '{input.SiteKey}'."));
        }
        if (input.ParentKey is null)
        {
            return errors;
        }
        if (!_assets.TryGetValue(input.ParentKey, out var parent))
        {
            errors.Add(new("parentKey", $"There is no asset '{input.ParentKey}' to be the parent."));
            return errors;
        }
        if (parent.Site!.Key != input.SiteKey)
        {
            errors.Add(new("parentKey",
                $"'{input.ParentKey}' stands on site '{parent.Site.Key}', but this asset is on '{input.SiteKey}': a parent must be on the same site."));
        }
        if (existing is not null)
        {
            var depth = 0;
            for (var a = parent; a is not null && depth < 4096; a = a.Parent, depth++)
            {
                if (ReferenceEquals(a, existing))
                {
                    errors.Add(new("parentKey", a == parent
                        ? "An asset cannot be its own parent."
                        : $"'{input.ParentKey}' is below '{input.Key}' in the hierarchy; putting '{input.Key}' under it would make a loop."));
                    break;
                }
            }
        }
        return errors;
    }

    /// <summary>Applies a checked input; when the asset changes site its descendants move with it.</summary>
    public void Apply(Asset asset, AssetInput input)
    {
        var site = _sites[input.SiteKey];
        var moved = asset.Site is not null && !ReferenceEquals(asset.Site, site);
        asset.Site = site;
        asset.Parent = input.ParentKey is null ? null : _assets[input.ParentKey];
        if (input.ParentKey is null)
        {
            asset.ParentId = null;
        }
        asset.Name = input.Name;
        asset.Type = input.Type;
        asset.Latitude = input.Latitude;
        asset.Longitude = input.Longitude;
        _assets[asset.Key] = asset;
        if (moved)
        {
            var stack = new Stack<Asset>(asset.Children);
            while (stack.Count > 0)
            {
                var child = stack.Pop();
                child.Site = site;
                foreach (var grandchild in child.Children)
                {
                    stack.Push(grandchild);
                }
            }
        }
    }
}
