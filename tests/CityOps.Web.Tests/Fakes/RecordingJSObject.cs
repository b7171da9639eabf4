using Microsoft.JSInterop;

namespace CityOps.Web.Tests.Fakes;

/// <summary>
/// A browser-side object (a module, a map, a chart) that records the calls made on it. A "create" call waits for
/// <see cref="Create"/> when it is set, so a test decides when (and whether) the browser has made the thing.
/// </summary>
internal sealed class RecordingJSObject : IJSObjectReference
{
    private readonly TaskCompletionSource<string> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<string> Calls { get; } = [];

    public TaskCompletionSource<IJSObjectReference?>? Create { get; init; }

    public TaskCompletionSource Disposed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<string> FirstCall => _first.Task;

    private void Record(string call)
    {
        Calls.Add(call);
        _first.TrySetResult(call);
    }

    public async ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args)
    {
        Record(identifier);
        if (identifier == "create" && Create is not null)
        {
            return (TValue)(await Create.Task as object)!;
        }
        return default!;
    }

    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
        InvokeAsync<TValue>(identifier, args);

    public ValueTask DisposeAsync()
    {
        Record("DisposeAsync");
        Disposed.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
