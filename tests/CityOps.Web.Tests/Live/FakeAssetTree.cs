using CityOps.Web.Features.Live;

namespace CityOps.Web.Tests.Live;

/// <summary>An asset hierarchy the test declares child by parent.</summary>
public sealed class FakeAssetTree : IAssetTree
{
    private readonly Dictionary<int, int> _parents = [];

    public FakeAssetTree Child(int assetId, int parentId)
    {
        _parents[assetId] = parentId;
        return this;
    }

    public bool IsWithin(int assetId, int ancestorId)
    {
        for (int? id = assetId; id is { } current; id = _parents.TryGetValue(current, out var parent) ? parent : null)
        {
            if (current == ancestorId)
            {
                return true;
            }
        }
        return false;
    }
}
