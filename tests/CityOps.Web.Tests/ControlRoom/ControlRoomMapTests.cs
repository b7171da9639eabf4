using Bunit;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using MudBlazor.Services;

namespace CityOps.Web.Tests.ControlRoom;

public class ControlRoomMapTests : BunitContext
{
    private static readonly MapView View = new(51.92, 4.48, 13, "maps/city.geojson");
    private readonly BunitJSModuleInterop _map;

    public ControlRoomMapTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddOptions<MapOptions>();
        var module = JSInterop.SetupModule(ControlRoomMap.ModulePath);
        _map = module.SetupModule(invocation => invocation.Identifier == "create");
    }

    private static List<MapMarker> Markers(LiveState second = LiveState.Normal) =>
    [
        new(1, "city.a.x1", "Quay & Dock", 51.92, 4.48, LiveState.Normal),
        new(2, "city.a.wz", "Old Harbour water zone", 51.921, 4.481, second),
        new(3, "city.a.em", "Substation", 51.922, 4.482, LiveState.Offline),
    ];

    [Theory]
    [InlineData(LiveState.Normal, "normal", "var(--mud-palette-secondary)")]
    [InlineData(LiveState.Stale, "stale", "var(--mud-palette-info)")]
    [InlineData(LiveState.Abnormal, "abnormal", "var(--mud-palette-warning)")]
    [InlineData(LiveState.Offline, "offline", "var(--mud-palette-error)")]
    public void Colour_EachState_UsesItsThemeColour(LiveState state, string name, string colour)
    {
        Assert.Equal(name, LiveStateStyle.Name(state));
        Assert.Equal(colour, LiveStateStyle.Colour(state));
    }

    [Fact]
    public void Colour_AllStates_OnlyNormalIsNeutral()
    {
        Assert.Equal(LiveStateStyle.All.Count, LiveStateStyle.All.Select(LiveStateStyle.Colour).Distinct().Count());
        Assert.Equal([LiveState.Stale, LiveState.Abnormal, LiveState.Offline], LiveStateStyle.All.Where(LiveStateStyle.NeedsAttention));
    }

    [Fact]
    public void Render_FirstTime_SendsEveryMarkerWithItsStateAndColour()
    {
        Render<ControlRoomMap>(p => p.Add(m => m.View, View).Add(m => m.Markers, Markers(LiveState.Abnormal)));

        var sent = Assert.IsAssignableFrom<IEnumerable<MapMarkerData>>(Assert.Single(_map.Invocations["setMarkers"]).Arguments[0]).ToList();
        Assert.Equal([1, 2, 3], sent.Select(m => m.Id));
        var abnormal = sent.Single(m => m.Id == 2);
        Assert.Equal(("abnormal", "Abnormal", "var(--mud-palette-warning)"), (abnormal.State, abnormal.Label, abnormal.Colour));
        Assert.Equal((51.921, 4.481), (abnormal.Latitude, abnormal.Longitude));
        Assert.Equal("var(--mud-palette-error)", sent.Single(m => m.Id == 3).Colour);
        Assert.Equal("var(--mud-palette-secondary)", sent.Single(m => m.Id == 1).Colour);
    }

    [Fact]
    public void Render_MapCreated_ReceivesViewBaseMapAndSeverityOrder()
    {
        Render<ControlRoomMap>(p => p.Add(m => m.View, View).Add(m => m.Markers, Markers()));

        var create = JSInterop.Invocations.Single(i => i.Identifier == "create");
        var options = create.Arguments[1]!;
        Assert.Equal("maps/city.geojson", options.GetType().GetProperty("baseMapUrl")!.GetValue(options));
        Assert.Equal("", options.GetType().GetProperty("tileUrl")!.GetValue(options));
        var severity = Assert.IsAssignableFrom<IDictionary<string, int>>(options.GetType().GetProperty("severity")!.GetValue(options));
        Assert.True(severity["offline"] > severity["abnormal"] && severity["abnormal"] > severity["stale"] && severity["stale"] > severity["normal"]);
    }

    [Fact]
    public void Render_OneMarkerChangesState_SendsOnlyThatMarker()
    {
        var cut = Render<ControlRoomMap>(p => p.Add(m => m.View, View).Add(m => m.Markers, Markers()));

        cut.Render(p => p.Add(m => m.Markers, Markers(LiveState.Stale)));

        var update = Assert.Single(_map.Invocations["updateStates"]);
        var changed = Assert.Single(Assert.IsAssignableFrom<IEnumerable<MapMarkerData>>(update.Arguments[0]));
        Assert.Equal((2, "stale", "var(--mud-palette-info)"), (changed.Id, changed.State, changed.Colour));
        Assert.Single(_map.Invocations["setMarkers"]);
    }

    [Fact]
    public void Render_NothingChanged_SendsNoUpdate()
    {
        var cut = Render<ControlRoomMap>(p => p.Add(m => m.View, View).Add(m => m.Markers, Markers()));

        cut.Render(p => p.Add(m => m.Markers, Markers()));

        Assert.Empty(_map.Invocations["updateStates"]);
    }

    [Fact]
    public async Task SelectAsset_MarkerClicked_ReportsTheAsset()
    {
        int? selected = null;
        var cut = Render<ControlRoomMap>(p => p.Add(m => m.View, View).Add(m => m.Markers, Markers())
            .Add(m => m.OnSelect, (int id) => selected = id));

        await cut.InvokeAsync(() => cut.Instance.SelectAsset(2));

        Assert.Equal(2, selected);
    }

    [Fact]
    public async Task Dispose_MapShown_DisposesTheMapInTheBrowser()
    {
        var cut = Render<ControlRoomMap>(p => p.Add(m => m.View, View).Add(m => m.Markers, Markers()));

        await cut.Instance.DisposeAsync();

        Assert.Single(_map.Invocations["dispose"]);
    }
}
