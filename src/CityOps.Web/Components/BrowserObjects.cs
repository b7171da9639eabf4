using Microsoft.JSInterop;

namespace CityOps.Web.Components;

/// <summary>Releasing what a component made in the browser: a chart, a map, a module.</summary>
internal static class BrowserObjects
{
    /// <summary>
    /// Lets the object remove itself from the page first when <paramref name="removeFromPage"/> (its <c>dispose</c>),
    /// then releases the reference. A circuit that is gone, or closing (closing cancels the calls still pending), has
    /// taken the browser's side with it: nothing is left to clean up, and nothing is thrown.
    /// </summary>
    public static async Task ReleaseAsync(IJSObjectReference? target, bool removeFromPage = false)
    {
        if (target is null)
        {
            return;
        }
        try
        {
            if (removeFromPage)
            {
                await target.InvokeVoidAsync("dispose");
            }
            await target.DisposeAsync();
        }
        catch (Exception e) when (e is JSDisconnectedException or OperationCanceledException)
        {
        }
    }
}
