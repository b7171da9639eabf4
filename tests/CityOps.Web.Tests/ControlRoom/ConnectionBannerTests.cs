using Bunit;
using CityOps.Web.Features.ControlRoom;

namespace CityOps.Web.Tests.ControlRoom;

public class ConnectionBannerTests : BunitContext
{
    [Fact]
    public void Render_Always_IsTheElementBlazorReportsConnectionStateTo()
    {
        var cut = Render<ConnectionBanner>();

        var banner = cut.Find("#components-reconnect-modal");
        Assert.Equal("status", banner.GetAttribute("role"));
        Assert.Equal("polite", banner.GetAttribute("aria-live"));
    }

    [Theory]
    [InlineData("show", "Connection to the server lost")]
    [InlineData("retrying", "attempt")]
    [InlineData("failed", "Values on this screen are not updating")]
    [InlineData("paused", "paused")]
    [InlineData("rejected", "restarted")]
    public void Render_EachConnectionState_HasItsMessage(string state, string text)
    {
        var cut = Render<ConnectionBanner>();

        Assert.Contains(text, cut.Find($".cityops-reconnect-when-{state}").TextContent);
    }

    [Fact]
    public void Render_Retrying_HasTheSlotsBlazorFillsWithAttempts()
    {
        var cut = Render<ConnectionBanner>();

        Assert.NotNull(cut.Find("#components-reconnect-current-attempt"));
        Assert.NotNull(cut.Find("#components-reconnect-max-retries"));
        Assert.NotNull(cut.Find("#components-seconds-to-next-attempt"));
        Assert.Equal("Reload now", cut.Find("[data-reconnect-reload]").TextContent);
    }

    [Fact]
    public void Render_Always_HasTheHiddenDisplayBlazorShowsWhenAnErrorEndsTheSession()
    {
        var cut = Render<ConnectionBanner>();

        var error = cut.Find("#blazor-error-ui");
        Assert.Equal("alert", error.GetAttribute("role"));
        Assert.Null(error.GetAttribute("style"));
        Assert.Contains("not updating", error.TextContent);
        Assert.Equal("Reload now", cut.Find("[data-error-reload]").TextContent);
    }
}
