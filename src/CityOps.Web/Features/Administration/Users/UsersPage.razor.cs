using System.Security.Claims;
using CityOps.Web.Features.Accounts;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace CityOps.Web.Features.Administration.Users;

/// <summary>
/// Accounts and their roles: create (with a given or a generated one-time password), change roles, reset the password,
/// lock and unlock, delete. The service refuses what would leave no administrator; the page says why.
/// </summary>
public partial class UsersPage
{
    private IReadOnlyList<UserRow>? _users;
    private ShownPassword? _password;
    private UserRow? _editingRoles;
    private UserRow? _confirmDelete;
    private readonly HashSet<string> _editedRoles = [];
    private readonly HashSet<string> _newRoles = [Roles.Operator];
    private string? _error;
    private bool _busy;
    private string? _email;
    private string? _displayName;
    private string? _initialPassword;

    [Inject] public required IUserAdministration Users { get; init; }
    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }
    [Inject] public required ILogger<UsersPage> Logger { get; init; }

    [CascadingParameter] public required Task<AuthenticationState> AuthenticationState { get; set; }

    private sealed record ShownPassword(string Title, string Email, string Password);

    protected override Task OnInitializedAsync() => LoadAsync();

    internal static Color RoleColor(string role) => role switch
    {
        Roles.Administrator => Color.Secondary,
        Roles.Manager => Color.Info,
        _ => Color.Default,
    };

    private static void Toggle(HashSet<string> roles, string role, bool on)
    {
        if (on)
        {
            roles.Add(role);
        }
        else
        {
            roles.Remove(role);
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            _users = await Users.ListAsync((await AuthenticationState).User);
        }
        catch (Exception e) when (e is not UnauthorizedAccessException)
        {
            Logger.LogError(e, "Could not list the users");
            _users = [];
            _error = "The users could not be read from the database. Try again in a moment.";
        }
    }

    private void EditRoles(UserRow user)
    {
        _editingRoles = user;
        _editedRoles.Clear();
        _editedRoles.UnionWith(user.Roles);
    }

    private Task CreateAsync() => RunAsync(async me =>
    {
        var created = await Users.CreateAsync(me, new NewUser(_email ?? "", _displayName, [.. Roles.All.Where(_newRoles.Contains)], _initialPassword));
        if (created.Password is { } generated)
        {
            _password = new ShownPassword($"One-time password of {created.User.Email}", created.User.Email, generated);
        }
        Snackbar.Add($"Created {created.User.Email}.", Severity.Success);
        _email = _displayName = _initialPassword = null;
    });

    private Task SaveRolesAsync() => RunAsync(async me =>
    {
        if (_editingRoles is not { } user)
        {
            return;
        }
        var saved = await Users.SetRolesAsync(me, user.Id, [.. Roles.All.Where(_editedRoles.Contains)]);
        _editingRoles = null;
        Snackbar.Add($"Roles of {saved.Email} saved; their open screens follow at once.", Severity.Success);
    });

    private Task ResetPasswordAsync(UserRow user) => RunAsync(async me =>
    {
        var reset = await Users.ResetPasswordAsync(me, user.Id);
        _password = new ShownPassword($"New password of {user.Email}", user.Email, reset.Password!);
    });

    private Task LockAsync(UserRow user) => RunAsync(async me =>
    {
        await Users.LockAsync(me, user.Id);
        Snackbar.Add($"Locked {user.Email}; they are signed out.", Severity.Success);
    });

    private Task UnlockAsync(UserRow user) => RunAsync(async me =>
    {
        await Users.UnlockAsync(me, user.Id);
        Snackbar.Add($"Unlocked {user.Email}.", Severity.Success);
    });

    private Task DeleteAsync() => RunAsync(async me =>
    {
        if (_confirmDelete is not { } user)
        {
            return;
        }
        _confirmDelete = null;
        await Users.DeleteAsync(me, user.Id);
        Snackbar.Add($"Deleted {user.Email}.", Severity.Success);
    });

    private async Task CopyPasswordAsync()
    {
        if (_password is null)
        {
            return;
        }
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _password.Password);
            Snackbar.Add("Copied the password to the clipboard.", Severity.Normal);
        }
        catch (JSException)
        {
            Snackbar.Add("The browser refused the clipboard: select the password and copy it by hand.", Severity.Warning);
        }
    }

    private async Task RunAsync(Func<ClaimsPrincipal, Task> operation)
    {
        _busy = true;
        _error = null;
        try
        {
            await operation((await AuthenticationState).User);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            _error = e.Message;
        }
        catch (Exception e) when (e is not UnauthorizedAccessException)
        {
            Logger.LogError(e, "A user change failed");
            _error = "The change could not be saved. Try again in a moment.";
        }
        finally
        {
            _busy = false;
        }
        await LoadAsync();
    }
}
