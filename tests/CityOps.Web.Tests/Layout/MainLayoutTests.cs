using Bunit;
using Bunit.TestDoubles;
using CityOps.Web.Components.Layout;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Tests.Alerts;
using CityOps.Web.Tests.Fakes;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Layout;

public class MainLayoutTests : BunitContext
{
    private readonly BunitAuthorizationContext _auth;

    public MainLayoutTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        _auth = AddAuthorization();
        Services.AddSingleton(new AlarmTestBoard(new FakeTimeProvider(LiveStoreFactory.Start)).Board);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private IRenderedComponent<MainLayout> RenderLayout(bool darkMode = true) =>
        Render<MainLayout>(p => p
            .AddCascadingValue(ThemePreference.CascadingName, darkMode)
            .Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));

    [Fact]
    public void ThemeToggle_ClickedInDarkTheme_RemembersLightInTheBrowser()
    {
        _auth.SetAuthorized("operator@cityops.local");
        var cut = RenderLayout(darkMode: true);

        cut.Find("[data-testid='theme-toggle']").Click();

        Assert.Equal("light", JSInterop.VerifyInvoke("cityops.rememberTheme").Arguments[0]);
        Assert.Equal("Switch to dark theme", cut.Find("[data-testid='theme-toggle']").GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_LightChosenEarlier_StartsLight()
    {
        _auth.SetAuthorized("operator@cityops.local");

        var cut = RenderLayout(darkMode: false);

        Assert.Equal("Switch to dark theme", cut.Find("[data-testid='theme-toggle']").GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_SignedInOperator_ShowsWhoAndTheirRoleAndASignOutForm()
    {
        _auth.SetAuthorized("operator@cityops.local");
        _auth.SetRoles(Roles.Operator);

        var cut = RenderLayout();

        var user = cut.Find("[data-testid='current-user']").TextContent;
        Assert.Contains("operator@cityops.local", user);
        Assert.Contains(Roles.Operator, user);
        Assert.DoesNotContain(Roles.Administrator, user);
        Assert.Equal("/account/logout", cut.Find("[data-testid='sign-out']").Closest("form")!.GetAttribute("action"));
        Assert.Contains("page body", cut.Markup);
    }

    [Fact]
    public void Navigation_UserAdmittedByPolicy_SeesTheSitesLink()
    {
        _auth.SetAuthorized("operator@cityops.local");
        _auth.SetPolicies(Policies.AnyRole);

        var cut = RenderLayout();

        Assert.Contains(cut.FindAll(".mud-nav-link"), a => a.TextContent.Contains("Sites"));
    }

    [Fact]
    public void Navigation_UserWithoutAnyPolicy_SeesNoLinks()
    {
        _auth.SetAuthorized("visitor@cityops.local");

        var cut = RenderLayout();

        Assert.Empty(cut.FindAll(".mud-nav-link"));
    }
}
