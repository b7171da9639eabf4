using Bunit;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Accounts;

public class LoginTests : BunitContext
{
    public LoginTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddOptions<IdentityOptions>().Configure(o =>
        {
            o.Lockout.MaxFailedAccessAttempts = 5;
            o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        });
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CityOps:DemoMode"] = "false" }).Build());
    }

    private IRenderedComponent<Login> RenderAt(string relativeUrl)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Login>();
    }

    [Fact]
    public void Render_FailedAttemptCode_SaysEmailOrPasswordIsWrong()
    {
        var cut = RenderAt("account/login?error=invalid");

        Assert.Contains("email or password is not correct", cut.Find("[data-testid='login-error']").TextContent);
    }

    [Fact]
    public void Render_LockoutCode_SaysAccountIsLockedAndForHowLong()
    {
        var cut = RenderAt("account/login?error=locked");

        var message = cut.Find("[data-testid='login-error']").TextContent;
        Assert.Contains("locked after 5 failed sign-in attempts", message);
        Assert.Contains("15 minutes", message);
    }

    [Fact]
    public void Render_NoErrorCode_ShowsTheFormWithoutAnError()
    {
        var cut = RenderAt("account/login");

        Assert.Empty(cut.FindAll("[data-testid='login-error']"));
        Assert.Equal("/account/login", cut.Find("form").GetAttribute("action"));
        Assert.NotNull(cut.Find("input[name='email']"));
        Assert.NotNull(cut.Find("input[name='password'][type='password']"));
        Assert.NotNull(cut.Find("input[name='rememberMe']"));
    }

    [Fact]
    public void Render_LocalReturnUrl_IsPostedBackWithTheForm()
    {
        var cut = RenderAt("account/login?ReturnUrl=%2Fcontrol-room%3Fsite%3D2");

        Assert.Equal("/control-room?site=2", cut.Find("input[name='returnUrl']").GetAttribute("value"));
    }

    [Fact]
    public void Render_ReturnUrlToAnotherHost_IsDropped()
    {
        var cut = RenderAt("account/login?ReturnUrl=%2F%2Fevil.example%2Fphish");

        Assert.Empty(cut.FindAll("input[name='returnUrl']"));
    }

    [Fact]
    public void Render_DemoModeWithDefaultPassword_ListsTheDemoAccounts()
    {
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CityOps:DemoMode"] = "true" }).Build());

        var cut = RenderAt("account/login");

        Assert.Contains("operator@cityops.local", cut.Find("[data-testid='demo-accounts']").TextContent);
    }
}
