using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Bunit;
using CityOps.Web.Features.Accounts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Administration;

/// <summary>What the administration pages need: Mud services and providers, a signed-in administrator, a test clock.</summary>
public abstract class AdminPageTests : BunitContext
{
    protected AdminPageTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<TimeProvider>(Clock);
        AddAuthorization().SetAuthorized("chief@cityops.local").SetRoles(Roles.Administrator);
    }

    /// <summary>Renders the providers (as MainLayout does) and then the page; derived classes add their services first.</summary>
    protected IRenderedComponent<TPage> RenderPage<TPage>() where TPage : IComponent
    {
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Render<MudPopoverProvider>();
        return Render<TPage>();
    }

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    /// <summary>The input of a Mud field marked with <paramref name="testId"/> (the mark may sit on the input or around it).</summary>
    protected static IElement Input<T>(IRenderedComponent<T> cut, string testId) where T : IComponent
    {
        var marked = cut.Find($"[data-testid='{testId}']");
        return marked.TagName == "INPUT" ? marked : marked.QuerySelector("input") ?? throw new InvalidOperationException($"{testId} has no input");
    }
}
