using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace CityOps.Web.Features.Actions;

public sealed partial class SuggestedActions : IDisposable
{
    private enum Mode { None, Modify, Reject }

    private IReadOnlyList<SuggestionView>? _views;
    private IDisposable? _subscription;
    private long? _loadedFor;
    private string _user = "";
    private bool _busy;
    private long? _open;
    private Mode _mode;
    private double _value;
    private string? _text;

    [Parameter, EditorRequired]
    public long AlarmId { get; set; }

    [CascadingParameter]
    public Task<AuthenticationState>? Authentication { get; set; }

    [Inject]
    public required SuggestionService Suggestions { get; init; }

    [Inject]
    public required CommandService Commands { get; init; }

    [Inject]
    public required ActionsNotifier Notifier { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    protected override void OnInitialized() =>
        _subscription = Notifier.Subscribe(() => InvokeAsync(async () =>
        {
            await LoadAsync();
            StateHasChanged();
        }));

    protected override async Task OnParametersSetAsync()
    {
        if (Authentication is not null)
        {
            _user = (await Authentication).User.Identity?.Name ?? "";
        }
        if (_loadedFor != AlarmId)
        {
            _loadedFor = AlarmId;
            _views = null;
            await LoadAsync();
        }
    }

    private async Task LoadAsync() => _views = await Suggestions.ForAlarmAsync(AlarmId, CancellationToken.None);

    private void Open(Suggestion s, Mode mode)
    {
        _open = s.Id;
        _mode = mode;
        _value = s.ProposedValue;
        _text = null;
    }

    private Task AcceptAsync(Suggestion s) => RunAsync(async () =>
    {
        var command = await Suggestions.AcceptAsync(s.Id, _user, CancellationToken.None);
        Snackbar.Add(command.RequiresConfirmation ? "Accepted; a second operator must confirm before it is sent." : "Accepted; the command is being sent.", Severity.Success);
    });

    private Task ModifyAsync(Suggestion s) => RunAsync(async () =>
    {
        var command = await Suggestions.ModifyAsync(s.Id, _value, _text, _user, CancellationToken.None);
        Snackbar.Add(command.RequiresConfirmation ? "Modified; a second operator must confirm before it is sent." : "Modified; the command is being sent.", Severity.Success);
    });

    private Task RejectAsync(Suggestion s) => RunAsync(async () =>
    {
        await Suggestions.RejectAsync(s.Id, _text ?? "", _user, CancellationToken.None);
        Snackbar.Add("Rejected.", Severity.Info);
    });

    private Task ConfirmAsync(Command c) => RunAsync(async () =>
    {
        await Commands.ConfirmAsync(c.Id, _user, CancellationToken.None);
        Snackbar.Add("Confirmed; the command is being sent.", Severity.Success);
    });

    private async Task RunAsync(Func<Task> action)
    {
        if (_user.Length == 0)
        {
            // Every decision is audited under the operator's name, so an anonymous circuit cannot make one.
            Snackbar.Add("Sign in to act on suggestions.", Severity.Warning);
            return;
        }
        _busy = true;
        try
        {
            await action();
            _open = null;
            _mode = Mode.None;
            await LoadAsync();
        }
        catch (ActionException e)
        {
            Snackbar.Add(e.Message, Severity.Warning);
        }
        finally
        {
            _busy = false;
        }
    }

    internal static string Percent(double p) => p.ToString("P0", CultureInfo.InvariantCulture);

    internal static string Number(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Extreme(PredictedEffect e)
    {
        var kind = e.Limit.Kind == LimitKind.High ? "peak" : "minimum";
        var verdict = e.With.StaysSafe ? "within the limit" : "violates the limit";
        return $"{kind} {Number(e.With.Extreme)} {e.Limit.Unit}, {verdict}";
    }

    internal static Color StatusColour(SuggestionStatus status) => status switch
    {
        SuggestionStatus.Proposed => Color.Info,
        SuggestionStatus.Accepted or SuggestionStatus.Modified => Color.Success,
        SuggestionStatus.Rejected => Color.Default,
        _ => Color.Dark,
    };

    internal static Color CommandColour(CommandStatus status) => status switch
    {
        CommandStatus.Applied => Color.Success,
        CommandStatus.Failed or CommandStatus.TimedOut => Color.Error,
        CommandStatus.AwaitingConfirmation => Color.Warning,
        _ => Color.Info,
    };

    internal static string CommandLabel(CommandStatus status) => status switch
    {
        CommandStatus.AwaitingConfirmation => "Awaiting second operator",
        CommandStatus.TimedOut => "Timed out",
        _ => status.ToString(),
    };

    public void Dispose() => _subscription?.Dispose();
}
