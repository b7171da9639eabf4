using AngleSharp.Dom;
using Bunit;
using CityOps.Analytics;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.Assets;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MudBlazor.Services;

namespace CityOps.Web.Tests.Administration.Rules;

/// <summary>What the rule pages need: a signed-in administrator, the rules in memory, a sensor catalog and the test clock.</summary>
public abstract class RuleScreenTests : BunitContext
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 27, 6, 0, 0, TimeSpan.Zero);

    private protected RuleScreenTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<CityOps.Web.Features.Administration.Rules.IRulePagesBackend>(Backend);
        Services.AddSingleton<IRuleBacktester>(Backtester);
        Services.AddSingleton(SensorCatalog.Of(
        [
            new SensorInfo(1, "plant.l1.motor.temp", 1, "plant", 1, "plant.l1.motor", MetricKind.Temperature, "°C", -20, 200, 5),
            new SensorInfo(2, "water.zone1.pressure", 2, "water", 2, "water.zone1", MetricKind.Pressure, "bar", 0, 10, 10),
        ]));
        AddAuthorization().SetAuthorized("admin@cityops.local").SetRoles(Roles.Administrator);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    private protected FakeRulePagesBackend Backend { get; } = new();

    /// <summary>The backtester the pages get; a test sets which fake it stands for before rendering.</summary>
    private protected BacktesterSlot Backtester { get; } = new();

    protected FakeTimeProvider Clock { get; } = new(Now);

    /// <summary>The input element of the field with <paramref name="testId"/> (MudBlazor puts the attribute on the input or its wrapper).</summary>
    protected static IElement Input<T>(IRenderedComponent<T> cut, string testId) where T : IComponent
    {
        var element = cut.Find($"[data-testid='{testId}']");
        return element.TagName is "INPUT" or "TEXTAREA" ? element : element.QuerySelector("input, textarea")!;
    }

    /// <summary>The whole field (label, input, helper or error text) around the input with <paramref name="testId"/>.</summary>
    protected static IElement Field<T>(IRenderedComponent<T> cut, string testId) where T : IComponent =>
        Input(cut, testId).Closest(".mud-input-control")!;
}
