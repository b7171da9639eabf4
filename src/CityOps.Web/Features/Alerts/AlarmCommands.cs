using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace CityOps.Web.Features.Alerts;

/// <summary>
/// What the alarm screens do when an operator acts: asks for what is required (a reason, a duration), calls
/// <see cref="AlarmOperations"/> as the signed-in user and says how it went. One per circuit.
/// </summary>
public sealed class AlarmCommands(
    AlarmOperations operations, IDialogService dialogs, ISnackbar snackbar, AuthenticationStateProvider auth, ILogger<AlarmCommands> logger)
{
    /// <summary>Acknowledges the alarms; returns how many changed.</summary>
    public async Task<int> AcknowledgeAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return 0;
        }
        var user = await UserAsync();
        try
        {
            var changed = await operations.AcknowledgeAsync(ids, user, null, ct);
            var skipped = ids.Count - changed;
            snackbar.Add(
                skipped == 0 ? $"Acknowledged {Plural(changed, "alarm")}." : $"Acknowledged {Plural(changed, "alarm")}; {skipped} could not be acknowledged in their state.",
                skipped == 0 ? Severity.Normal : Severity.Warning);
            return changed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(e, "acknowledge", ids);
            return 0;
        }
    }

    /// <summary>Asks for a reason and a duration, then shelves; false when the operator cancelled or it failed.</summary>
    public async Task<bool> ShelveAsync(AlarmView alarm, CancellationToken ct)
    {
        var parameters = new DialogParameters<AlarmReasonDialog>
        {
            { d => d.Alarm, alarm },
            { d => d.AskDuration, true },
        };
        var dialog = await dialogs.ShowAsync<AlarmReasonDialog>($"Shelve: {alarm.Message}", parameters);
        if (await dialog.Result is not { Canceled: false, Data: AlarmReasonDialog.Answer answer })
        {
            return false;
        }
        var user = await UserAsync();
        try
        {
            await operations.ShelveAsync(alarm.Id, answer.Duration, answer.Reason, user, ct);
            snackbar.Add($"Shelved for {AlarmReasonDialog.DurationLabel(answer.Duration)}.", Severity.Normal);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(e, "shelve", [alarm.Id]);
            return false;
        }
    }

    /// <summary>Asks for the comment, then records it; false when the operator cancelled or it failed.</summary>
    public async Task<bool> CommentAsync(AlarmView alarm, CancellationToken ct)
    {
        var parameters = new DialogParameters<AlarmReasonDialog>
        {
            { d => d.Alarm, alarm },
            { d => d.AskDuration, false },
        };
        var dialog = await dialogs.ShowAsync<AlarmReasonDialog>($"Comment: {alarm.Message}", parameters);
        if (await dialog.Result is not { Canceled: false, Data: AlarmReasonDialog.Answer answer })
        {
            return false;
        }
        var user = await UserAsync();
        try
        {
            await operations.CommentAsync(alarm.Id, answer.Reason, user, ct);
            snackbar.Add("Comment recorded.", Severity.Normal);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Fail(e, "comment on", [alarm.Id]);
            return false;
        }
    }

    private async Task<string> UserAsync()
    {
        var state = await auth.GetAuthenticationStateAsync();
        return state.User.Identity?.Name ?? throw new InvalidOperationException("Alarm actions need a signed-in user.");
    }

    private void Fail(Exception e, string verb, IReadOnlyCollection<long> ids)
    {
        if (e is AlarmOperationException refused)
        {
            // The alarm changed under the operator (cleared, shelved by someone else): their request, not our fault.
            snackbar.Add(refused.Message, Severity.Warning);
            return;
        }
        logger.LogError(e, "Could not {Verb} alarms {Ids}", verb, ids);
        snackbar.Add($"Could not {verb} the alarm{(ids.Count == 1 ? "" : "s")}; nothing was changed. Try again, or report it if it persists.", Severity.Error);
    }

    internal static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
