using CityOps.Web.Features.SensorDetail;
using CityOps.Web.Tests.Fakes;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CityOps.Web.Tests.SensorDetail;

/// <summary>
/// A trend chart is made in the browser one round trip after its component rendered. The component can leave the page
/// in between (another range, another page, a panel replaced by a live update); the chart must then neither throw (an
/// exception from the browser ends the operator's whole session) nor stay behind in the browser.
/// </summary>
public class TrendChartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateAsync_ElementLeftThePage_NothingDrawnAndLaterUpdatesAreIgnored()
    {
        // The browser's create answers null when its element is no longer in the document.
        var module = new RecordingJSObject { Create = new TaskCompletionSource<IJSObjectReference?>() };
        module.Create.SetResult(null);
        await using var chart = new TrendChart(new Browser(module));

        await chart.CreateAsync("create", new ElementReference("gone"), new { }, Array.Empty<double>());
        await chart.SetDataAsync(new TrendSeries([], []), band: false);
        await chart.SetMarkersAsync([]);

        Assert.False(chart.IsCreated);
        Assert.Equal(["create"], module.Calls);
    }

    [Fact]
    public async Task DisposeAsync_WhileTheChartIsBeingMade_RemovesTheChartOnceMade()
    {
        var module = new RecordingJSObject { Create = new TaskCompletionSource<IJSObjectReference?>() };
        var chart = new TrendChart(new Browser(module));
        var creating = chart.CreateAsync("create", new ElementReference("chart"), new { }, Array.Empty<double>());
        Assert.Equal("create", await module.FirstCall.WaitAsync(Patience, Ct));

        await chart.DisposeAsync();
        var drawn = new RecordingJSObject();
        module.Create.SetResult(drawn);
        await creating.WaitAsync(Patience, Ct);

        Assert.Equal(["dispose", "DisposeAsync"], drawn.Calls);
        Assert.False(chart.IsCreated);
    }

    [Fact]
    public async Task DisposeAsync_ChartShown_RemovesTheChartAndTheModule()
    {
        var drawn = new RecordingJSObject();
        var module = new RecordingJSObject { Create = new TaskCompletionSource<IJSObjectReference?>() };
        module.Create.SetResult(drawn);
        var chart = new TrendChart(new Browser(module));
        await chart.CreateAsync("create", new ElementReference("chart"), new { }, Array.Empty<double>());
        Assert.True(chart.IsCreated);

        await chart.DisposeAsync();

        Assert.Equal(["dispose", "DisposeAsync"], drawn.Calls);
        Assert.Equal(["create", "DisposeAsync"], module.Calls);
    }

    [Fact]
    public async Task DisposeAsync_CircuitClosingCancelsTheCalls_CompletesWithoutError()
    {
        var module = new RecordingJSObject { Create = new TaskCompletionSource<IJSObjectReference?>() };
        module.Create.SetResult(new Cancelled());
        var chart = new TrendChart(new Browser(module));
        await chart.CreateAsync("create", new ElementReference("chart"), new { }, Array.Empty<double>());

        await chart.DisposeAsync();

        Assert.False(chart.IsCreated);
        Assert.Equal(["create", "DisposeAsync"], module.Calls);
    }

    /// <summary>A chart whose calls a closing circuit cancels, as Blazor does with the calls still pending.</summary>
    private sealed class Cancelled : IJSObjectReference
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => throw new TaskCanceledException();

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => throw new TaskCanceledException();

        public ValueTask DisposeAsync() => throw new TaskCanceledException();
    }

    /// <summary>The browser's side of <see cref="IJSRuntime"/>: imports the trend chart's module and nothing else.</summary>
    private sealed class Browser(IJSObjectReference module) : IJSRuntime
    {
        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args)
        {
            Assert.Equal(("import", TrendChart.ModulePath), (identifier, args?.SingleOrDefault() as string));
            return ValueTask.FromResult((TValue)module);
        }

        public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) =>
            InvokeAsync<TValue>(identifier, args);
    }
}
