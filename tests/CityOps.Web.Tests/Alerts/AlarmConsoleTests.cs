using Bunit;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace CityOps.Web.Tests.Alerts;

public class AlarmConsoleTests : AlarmScreenTests
{
    private readonly BunitJSModuleInterop _sound;

    public AlarmConsoleTests()
    {
        _sound = JSInterop.SetupModule(AlarmConsole.SoundModulePath);
        _sound.Setup<AlarmConsole.SoundState>("init").SetResult(new AlarmConsole.SoundState(Muted: false, Unlocked: true));
        _sound.Setup<bool>("beep", _ => true).SetResult(true);
    }

    private IRenderedComponent<AlarmConsole> RenderConsole() => Render<AlarmConsole>();

    private static List<long> ShownIds(IRenderedComponent<AlarmConsole> cut) =>
        cut.FindAll("tr[data-alarm-id]").Select(r => long.Parse(r.GetAttribute("data-alarm-id")!)).ToList();

    private static string? Cursor(IRenderedComponent<AlarmConsole> cut) => cut.Find("[data-testid='alarm-grid']").GetAttribute("aria-activedescendant");

    private static void Press(IRenderedComponent<AlarmConsole> cut, string key) =>
        cut.Find("[data-testid='alarm-grid']").KeyDown(new KeyboardEventArgs { Key = key });

    [Fact]
    public void Render_AlarmsOfSeveralPriorities_ListsHighestPriorityFirstThenNewest()
    {
        var lowNew = Alarms.Raise(AlarmPriority.Low, ageMinutes: 1);
        var highOld = Alarms.Raise(AlarmPriority.High, ageMinutes: 30);
        var critical = Alarms.Raise(AlarmPriority.Critical, ageMinutes: 20);
        var highNew = Alarms.Raise(AlarmPriority.High, ageMinutes: 2);

        var cut = RenderConsole();

        Assert.Equal([critical.Id, highNew.Id, highOld.Id, lowNew.Id], ShownIds(cut));
        var first = cut.Find($"tr[data-alarm-id='{critical.Id}']");
        // Shape and word, not colour alone.
        Assert.Contains("◆", first.TextContent);
        Assert.Contains("Critical", first.TextContent);
        Assert.Contains("Unacknowledged", first.QuerySelector("[data-testid='alarm-state']")!.TextContent);
        Assert.Contains("92.4 °C", first.TextContent);
    }

    [Fact]
    public void Render_AlarmTime_IsShownInTheSiteTimeZone()
    {
        // The clock is 12:00 UTC; Berlin is UTC+1 in November.
        Alarms.Raise(AlarmPriority.Medium, ageMinutes: 5);

        var cut = RenderConsole();

        Assert.Contains("27.11. 12:55:00 UTC+01:00", cut.Find("tr[data-alarm-id]").TextContent);
    }

    [Fact]
    public void Render_AlarmRaisedWhileOpen_AppearsInTheList()
    {
        var cut = RenderConsole();
        Assert.NotNull(cut.Find("[data-testid='no-alarms']"));

        var alarm = Alarms.Raise(AlarmPriority.Medium);

        cut.WaitForAssertion(() => Assert.Equal([alarm.Id], ShownIds(cut)));
    }

    [Fact]
    public void Render_ChatteringAndShelvedAlarms_ShowBadgeAndShelvedUntil()
    {
        var chattering = Alarms.Raise(AlarmPriority.Low, chattering: true);
        var until = World.Clock.GetUtcNow().UtcDateTime.AddHours(2);
        var shelved = Alarms.Raise(AlarmPriority.High, state: AlarmState.Shelved, shelvedUntil: until);

        var cut = RenderConsole();

        Assert.NotNull(cut.Find($"tr[data-alarm-id='{chattering.Id}'] [data-testid='chattering']"));
        // Shelved alarms are hidden from the operator's list until asked for.
        Assert.DoesNotContain(shelved.Id, ShownIds(cut));
        cut.InvokeAsync(() => cut.FindComponent<MudSelect<AlarmConsole.StateFilter>>().Instance.ValueChanged.InvokeAsync(AlarmConsole.StateFilter.Shelved));
        Assert.Equal([shelved.Id], ShownIds(cut));
        Assert.Contains("Shelved", cut.Find("[data-testid='alarm-state']").TextContent);
        Assert.Contains("27.11. 15:00:01 UTC+01:00", cut.Find($"tr[data-alarm-id='{shelved.Id}']").TextContent);
    }

    [Fact]
    public void Filter_PriorityChosen_ShowsOnlyThatPriority()
    {
        var high = Alarms.Raise(AlarmPriority.High);
        Alarms.Raise(AlarmPriority.Low);
        Alarms.Raise(AlarmPriority.Critical);

        var cut = RenderConsole();
        cut.Find("[data-testid='filter-priority-high']").Click();

        Assert.Equal([high.Id], ShownIds(cut));
        Assert.Equal("true", cut.Find("[data-testid='filter-priority-high']").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Filter_Text_MatchesMessageAndAssetCaseInsensitively()
    {
        var vibration = Alarms.Raise(AlarmPriority.Medium, message: "Vibration high");
        var pump = Alarms.Raise(AlarmPriority.Medium, message: "Flow low", asset: "tplant.line2.pump");
        Alarms.Raise(AlarmPriority.Medium, message: "Motor temperature high");

        var cut = RenderConsole();
        cut.Find("input[aria-label='Search alarms']").Input("VIBRATION");
        Assert.Equal([vibration.Id], ShownIds(cut));

        cut.Find("input[aria-label='Search alarms']").Input("line2.pump");
        Assert.Equal([pump.Id], ShownIds(cut));
    }

    [Fact]
    public void Filter_Area_ShowsOnlyThatSitesArea()
    {
        Alarms.Raise(AlarmPriority.High, area: "Line 1");
        var line2 = Alarms.Raise(AlarmPriority.Low, area: "Line 2");

        var cut = RenderConsole();
        cut.InvokeAsync(() => cut.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("tplant|Line 2"));

        Assert.Equal([line2.Id], ShownIds(cut));
        Assert.Equal("No alarms match the filters.", FilterMiss(cut, "nothing-like-this"));
    }

    private static string FilterMiss(IRenderedComponent<AlarmConsole> cut, string text)
    {
        cut.Find("input[aria-label='Search alarms']").Input(text);
        return cut.Find("[data-testid='no-alarms']").TextContent;
    }

    [Fact]
    public void Keyboard_JAndK_MoveTheFocusedRowDownAndUp()
    {
        var a = Alarms.Raise(AlarmPriority.Critical);
        var b = Alarms.Raise(AlarmPriority.High);
        var c = Alarms.Raise(AlarmPriority.Low);
        var cut = RenderConsole();

        Press(cut, "j");
        Assert.Equal($"alarm-row-{a.Id}", Cursor(cut));
        Press(cut, "j");
        Press(cut, "ArrowDown");
        Assert.Equal($"alarm-row-{c.Id}", Cursor(cut));
        Press(cut, "j");
        Assert.Equal($"alarm-row-{c.Id}", Cursor(cut));
        Press(cut, "k");
        Assert.Equal($"alarm-row-{b.Id}", Cursor(cut));
        Assert.Contains("cityops-alarmrow--cursor", cut.Find($"tr[data-alarm-id='{b.Id}']").GetAttribute("class"));
        Press(cut, "ArrowUp");
        Assert.Equal($"alarm-row-{a.Id}", Cursor(cut));
    }

    [Fact]
    public void Keyboard_SpaceOnTwoRows_SelectsBothAndTheActionsActOnBoth()
    {
        var a = Alarms.Raise(AlarmPriority.Critical);
        var b = Alarms.Raise(AlarmPriority.High);
        Alarms.Raise(AlarmPriority.Low);
        var cut = RenderConsole();
        Assert.True(cut.Find("[data-testid='acknowledge']").HasAttribute("disabled"));

        Press(cut, "j");
        Press(cut, " ");
        Press(cut, "j");
        Press(cut, " ");

        Assert.Equal(["true", "true", "false"], cut.FindAll("tr[data-alarm-id]").Select(r => r.GetAttribute("aria-selected")));
        Assert.Contains("Acknowledge 2", cut.Find("[data-testid='acknowledge']").TextContent);
        Assert.Contains("2 selected", cut.Find("[data-testid='selection-count']").TextContent);
        // Shelving needs a reason per alarm, so it acts on exactly one.
        Assert.True(cut.Find("[data-testid='shelve']").HasAttribute("disabled"));
        Assert.Equal([a.Id, b.Id], cut.Instance.Targets());
    }

    [Fact]
    public void Selection_CheckboxesAndSelectAll_SelectTheShownRows()
    {
        Alarms.Raise(AlarmPriority.Critical);
        var b = Alarms.Raise(AlarmPriority.High);
        var cut = RenderConsole();

        cut.Find($"tr[data-alarm-id='{b.Id}'] input[type=checkbox]").Change(true);
        Assert.Equal([b.Id], cut.Instance.Targets());
        Assert.False(cut.Find("[data-testid='shelve']").HasAttribute("disabled"));

        cut.Find("[data-testid='select-all']").Change(true);
        Assert.Equal(2, cut.Instance.Targets().Count);
        cut.Find("[data-testid='select-all']").Change(false);
        Assert.Contains("Nothing selected", cut.Find("[data-testid='selection-count']").TextContent);
    }

    [Fact]
    public void Selection_SelectedAlarmLeavesTheBoard_IsNoLongerSelected()
    {
        var a = Alarms.Raise(AlarmPriority.Critical);
        var b = Alarms.Raise(AlarmPriority.High);
        var cut = RenderConsole();
        cut.Find($"tr[data-alarm-id='{a.Id}'] input[type=checkbox]").Change(true);

        Alarms.Apply(a with { State = AlarmState.Normal });

        cut.WaitForAssertion(() => Assert.Equal([b.Id], ShownIds(cut)));
        Assert.Contains("Nothing selected", cut.Find("[data-testid='selection-count']").TextContent);
    }

    [Fact]
    public void Flood_ElevenAlarmsInAnAreaWithinTenMinutes_ShowsBannerAndGroupsByAssetWithTheFirstAlarmLeading()
    {
        // The press: its first alarm (8 minutes ago) probably caused the nine after it.
        var first = Alarms.Raise(AlarmPriority.Medium, "Motor current high", ageMinutes: 8);
        var consequences = Enumerable.Range(0, 9).Select(i => Alarms.Raise(AlarmPriority.High, $"Consequence {i}", ageMinutes: 7 - i * 0.5)).ToList();
        var pump = Alarms.Raise(AlarmPriority.Low, "Pump flow low", ageMinutes: 3, asset: "tplant.line1.pump");

        var cut = RenderConsole();

        Assert.Contains("Line 1 (11 new alarms)", cut.Find("[data-testid='flood-banner']").TextContent);
        Assert.Equal([first.Id, pump.Id], ShownIds(cut));
        Assert.Equal("+9", cut.Find($"tr[data-alarm-id='{first.Id}'] [data-testid='group-toggle']").TextContent);

        cut.Find($"tr[data-alarm-id='{first.Id}'] [data-testid='group-toggle']").Click();

        Assert.Equal([first.Id, .. consequences.Select(c => c.Id), pump.Id], ShownIds(cut));
        Assert.Contains("cityops-alarmrow--consequential", cut.Find($"tr[data-alarm-id='{consequences[0].Id}']").GetAttribute("class"));
    }

    [Fact]
    public void Flood_ActFirstList_HasAtMostFiveOfTheHighestPriorityOldestUnacknowledged()
    {
        var acknowledgedCritical = Alarms.Raise(AlarmPriority.Critical, ageMinutes: 9, state: AlarmState.ActiveAcknowledged);
        var highs = Enumerable.Range(0, 8).Select(i => Alarms.Raise(AlarmPriority.High, $"High {i}", ageMinutes: 8 - i * 0.5)).ToList();
        var critical = Alarms.Raise(AlarmPriority.Critical, "Pressure critical", ageMinutes: 1);
        Alarms.Raise(AlarmPriority.Low, ageMinutes: 9.5);
        Alarms.Raise(AlarmPriority.Low, ageMinutes: 9.6);

        var cut = RenderConsole();

        var listed = cut.FindAll("[data-testid='act-first'] li").Select(li => long.Parse(li.GetAttribute("data-alarm-id")!)).ToList();
        Assert.Equal([critical.Id, highs[0].Id, highs[1].Id, highs[2].Id, highs[3].Id], listed);
        Assert.DoesNotContain(acknowledgedCritical.Id, listed);
    }

    [Fact]
    public void Flood_TenAlarms_IsNoFlood()
    {
        for (var i = 0; i < new AlertOptions().FloodAlarms; i++)
        {
            Alarms.Raise(AlarmPriority.Medium, $"Alarm {i}", ageMinutes: 5);
        }

        var cut = RenderConsole();

        Assert.Empty(cut.FindAll("[data-testid='flood-banner']"));
        Assert.Equal(new AlertOptions().FloodAlarms, ShownIds(cut).Count);
    }

    [Fact]
    public void Sound_NewHighAlarmWhileOpen_BeepsOnceAtItsPriority()
    {
        Alarms.Raise(AlarmPriority.Critical);
        var cut = RenderConsole();
        cut.WaitForAssertion(() => Assert.Single(_sound.Invocations["init"]));
        Assert.Empty(_sound.Invocations["beep"]);

        Alarms.Raise(AlarmPriority.Low);
        Alarms.Raise(AlarmPriority.High);

        cut.WaitForAssertion(() => Assert.Equal("high", Assert.Single(_sound.Invocations["beep"]).Arguments[0]));
    }

    [Fact]
    public void Sound_Muted_DoesNotBeepAndRemembersTheChoice()
    {
        _sound.Setup<AlarmConsole.SoundState>("setMuted", i => i.Arguments[0] is true).SetResult(new AlarmConsole.SoundState(true, true));
        var cut = RenderConsole();
        cut.WaitForAssertion(() => Assert.Single(_sound.Invocations["init"]));

        cut.Find("[data-testid='mute-toggle']").Click();
        Alarms.Raise(AlarmPriority.Critical);

        cut.WaitForAssertion(() => Assert.Single(ShownIds(cut)));
        Assert.Equal(true, Assert.Single(_sound.Invocations["setMuted"]).Arguments[0]);
        Assert.Empty(_sound.Invocations["beep"]);
        Assert.Equal("true", cut.Find("[data-testid='mute-toggle']").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Sound_BrowserHasNotAllowedAudioYet_SaysSoundStartsAfterAClick()
    {
        _sound.Setup<AlarmConsole.SoundState>("init").SetResult(new AlarmConsole.SoundState(Muted: false, Unlocked: false));

        var cut = RenderConsole();

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='sound-blocked']")));
    }
}
