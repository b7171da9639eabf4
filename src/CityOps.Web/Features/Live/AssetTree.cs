using System.Collections.Frozen;
using CityOps.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Live;

/// <summary>The asset hierarchy as the live roll-ups need it: is one asset the other or below it.</summary>
public interface IAssetTree
{
    /// <summary>True when <paramref name="assetId"/> is <paramref name="ancestorId"/> or one of its descendants.</summary>
    bool IsWithin(int assetId, int ancestorId);
}

/// <summary>
/// The parent of every asset, swapped whole on refresh so readers never lock. Loaded at start-up and every
/// minute by <see cref="LiveStartup"/>, and again soon after an asset it does not know is asked about
/// (registered since the last load).
/// </summary>
public sealed class AssetTree(IDbContextFactory<CityOpsDbContext> dbFactory, ILogger<AssetTree> logger) : IAssetTree
{
    private FrozenDictionary<int, int?> _parents = FrozenDictionary<int, int?>.Empty;
    private int _refreshRequested;

    public bool IsWithin(int assetId, int ancestorId)
    {
        var parents = _parents;
        int? current = assetId;
        // The depth bound guards against a cycle written by hand into the database.
        for (var depth = 0; current is { } id && depth < 64; depth++)
        {
            if (id == ancestorId)
            {
                return true;
            }
            if (!parents.TryGetValue(id, out current))
            {
                Interlocked.Exchange(ref _refreshRequested, 1);
                return false;
            }
        }
        return false;
    }

    /// <summary>True once since an unknown asset was asked about.</summary>
    internal bool TakeRefreshRequest() => Interlocked.Exchange(ref _refreshRequested, 0) == 1;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.Assets.AsNoTracking().Select(a => new { a.Id, a.ParentId }).ToListAsync(cancellationToken);
        _parents = rows.ToFrozenDictionary(a => a.Id, a => a.ParentId);
        logger.LogDebug("Asset tree loaded: {Count} assets", rows.Count);
    }
}

/// <summary>Without a hierarchy every asset stands alone (tests, tools).</summary>
internal sealed class FlatAssetTree : IAssetTree
{
    public static readonly FlatAssetTree Instance = new();

    public bool IsWithin(int assetId, int ancestorId) => assetId == ancestorId;
}
