using Bunit;
using CityOps.Analytics;
using CityOps.Web.Features.Administration.Assets;
using CityOps.Web.Features.ControlRoom;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Administration;

public class AssetsAdminTests : BunitContext
{
    public AssetsAdminTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(Options.Create(new MapOptions()));
    }

    private static AssetNode Node(string key, string site, string? parent, string name, AssetType type, int sensors = 0, params AssetNode[] children) =>
        new(new AssetInput(key, site, parent, name, type, 52.5, 13.4), sensors, 0, children);

    /// <summary>A city with a district, a crossing and a pump station below it; a plant with one line.</summary>
    private static RegistryTree Tree() => new(
    [
        new SiteNode(new SiteInput("city", "Test City", SiteKind.City, 52.5, 13.4, 12, "Europe/Berlin"),
        [
            Node("city.north", "city", null, "North district", AssetType.District, 0,
                Node("city.north.x1", "city", "city.north", "Crossing 1", AssetType.Intersection, 2),
                Node("city.north.pump", "city", "city.north", "Pump station", AssetType.WaterZone, 1)),
        ]),
        new SiteNode(new SiteInput("plant", "Works", SiteKind.Plant, 48.1, 11.6, 16, "Europe/Berlin"),
            [Node("plant.line1", "plant", null, "Line 1", AssetType.Line)]),
    ]);

    private static IReadOnlyList<string> Nodes(IRenderedComponent<RegistryTreeView> cut) =>
        cut.FindAll("[data-testid='tree-node']").Select(n => n.GetAttribute("data-node")!).ToList();

    /// <summary>Whether a node is inside expanded parents only (collapsed children stay in the markup, hidden).</summary>
    private static bool Shown(IRenderedComponent<RegistryTreeView> cut, string node)
    {
        for (var e = cut.Find($"[data-node='{node}']").ParentElement; e is not null; e = e.ParentElement)
        {
            if (e.ClassList.Contains("mud-collapse-hidden") || e.ClassList.Contains("mud-collapse-container") && !e.ClassList.Contains("mud-collapse-entered"))
            {
                return false;
            }
        }
        return true;
    }

    [Fact]
    public void RegistryTreeView_SelectedAsset_ShowsSitesAndOpensTheWayToIt()
    {
        var cut = Render<RegistryTreeView>(p => p.Add(t => t.Tree, Tree()).Add(t => t.SelectedId, "asset:city.north.x1"));

        var nodes = Nodes(cut);
        Assert.Contains("site:city", nodes);
        Assert.Contains("site:plant", nodes);
        Assert.Contains("asset:city.north", nodes);
        Assert.Contains("asset:city.north.x1", nodes);
        Assert.Contains("Crossing 1", cut.Find("[data-node='asset:city.north.x1']").TextContent);
        Assert.True(Shown(cut, "asset:city.north.x1"));
        // The plant was not opened: its line is collapsed.
        Assert.False(Shown(cut, "asset:plant.line1"), cut.Find("[data-node='site:plant']").Closest("li")!.OuterHtml);
    }

    [Fact]
    public void RegistryTreeView_Search_KeepsMatchesAndTheirAncestorsOnly()
    {
        var cut = Render<RegistryTreeView>(p => p.Add(t => t.Tree, Tree()));

        cut.Find("input[data-testid='tree-search']").Input("pump");

        cut.WaitForAssertion(() => Assert.Equal(["site:city", "asset:city.north", "asset:city.north.pump"], Nodes(cut)));
    }

    [Fact]
    public void RegistryTreeView_AssetDroppedOnAnotherSite_AsksToMoveItToTheTopOfThatSite()
    {
        RegistryTreeView.MoveRequest? asked = null;
        var cut = Render<RegistryTreeView>(p => p.Add(t => t.Tree, Tree()).Add(t => t.SelectedId, "asset:city.north.x1")
            .Add(t => t.OnMove, (RegistryTreeView.MoveRequest m) => asked = m));

        cut.Find("[data-node='asset:city.north.x1']").TriggerEvent("ondragstart", new DragEventArgs());
        cut.Find("[data-node='site:plant']").TriggerEvent("ondrop", new DragEventArgs());

        Assert.Equal(new RegistryTreeView.MoveRequest("city.north.x1", "plant", null), asked);
    }

    [Fact]
    public void AssetForm_EmptyNameAndBadLatitude_ShowsMessagesAndDoesNotSave()
    {
        var saved = 0;
        var model = new AssetEditor { Key = "city.north.x2", SiteKey = "city", Name = "", Type = AssetType.Intersection, Latitude = 95, Longitude = 13 };
        var cut = Render<AssetForm>(p => p.Add(f => f.Model, model).Add(f => f.IsNew, true).Add(f => f.Center, (52.5, 13.4))
            .Add(f => f.Save, _ => { saved++; return Task.FromResult<IReadOnlyList<RegistryError>>([]); }));

        cut.Find("[data-testid='asset-save']").Click();

        Assert.Contains("A name is required", cut.Markup);
        Assert.Contains("Latitude must be between -90 and 90, not 95.", cut.Markup);
        Assert.Equal(0, saved);
    }

    [Fact]
    public void AssetForm_RegistryRefuses_ShowsItsMessageAtTheField()
    {
        var model = new AssetEditor { Key = "city.north", SiteKey = "city", Name = "North again", Type = AssetType.District, Latitude = 52, Longitude = 13 };
        var cut = Render<AssetForm>(p => p.Add(f => f.Model, model).Add(f => f.IsNew, true).Add(f => f.Center, (52.5, 13.4))
            .Add(f => f.Save, _ => Task.FromResult<IReadOnlyList<RegistryError>>([new("key", "An asset with key 'city.north' already exists.")])));

        cut.Find("[data-testid='asset-save']").Click();

        cut.WaitForAssertion(() => Assert.Contains("An asset with key 'city.north' already exists.",
            cut.Find("[data-testid='asset-key']").Closest(".mud-input-control")!.TextContent));
    }

    [Fact]
    public void ImportPreviewTable_RowsWithErrors_ListsRowColumnAndMessage()
    {
        var report = new ImportReport(RegistryCsvKind.Sensors, false,
            [new(2, "city.a.speed", ImportAction.Create), new(3, "city.a.bad", ImportAction.Invalid), new(4, "city.a.occ", ImportAction.Unchanged)],
            [new(3, "max", "Max (0) must be greater than min (100)."), new(3, "interval_seconds", "'abc' is not a number (use a dot for decimals, e.g. 12.5).")]);

        var cut = Render<ImportPreviewTable>(p => p.Add(t => t.Report, report));

        var errors = cut.FindAll("[data-testid='import-errors'] tbody tr")
            .Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();
        Assert.Equal(["3", "max", "Max (0) must be greater than min (100)."], errors[0]);
        Assert.Equal(["3", "interval_seconds", "'abc' is not a number (use a dot for decimals, e.g. 12.5)."], errors[1]);
        Assert.Contains("1 with errors (skipped)", cut.Find("[data-testid='import-invalid']").TextContent);
        Assert.Contains("1 to create", cut.Find("[data-testid='import-create']").TextContent);
        Assert.Equal("skipped: errors", cut.Find("[data-testid='import-rows'] tr[data-row='3'] td:last-child").TextContent);
    }
}
