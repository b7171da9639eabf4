using System.Security.Claims;
using Bunit;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Users;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.Web.Tests.Administration;

public class UsersPageTests : AdminPageTests
{
    private readonly FakeUsers _users = new();

    public UsersPageTests()
    {
        Services.AddSingleton<IUserAdministration>(_users);
    }

    [Fact]
    public void Render_Users_EachRoleIsAChipAndLockedUsersSayLocked()
    {
        _users.Add("chief@cityops.local", [Roles.Operator, Roles.Manager, Roles.Administrator]);
        _users.Add("op@cityops.local", [Roles.Operator], locked: true, lastSignIn: new DateTime(2026, 11, 26, 7, 5, 0, DateTimeKind.Utc));

        var cut = RenderPage<UsersPage>();

        var rows = cut.FindAll("[data-testid='user-row']");
        Assert.Equal(["Operator", "Manager", "Administrator"], rows[0].QuerySelectorAll("[data-testid='role-chip']").Select(c => c.TextContent.Trim()));
        Assert.Equal(["Operator"], rows[1].QuerySelectorAll("[data-testid='role-chip']").Select(c => c.TextContent.Trim()));
        Assert.Contains("locked", rows[1].QuerySelector("[data-testid='user-status']")!.TextContent);
        Assert.Equal("2026-11-26 07:05 UTC", rows[1].QuerySelector("[data-testid='user-last-sign-in']")!.TextContent.Trim());
        Assert.Equal("never", rows[0].QuerySelector("[data-testid='user-last-sign-in']")!.TextContent.Trim());
        Assert.NotNull(rows[1].QuerySelector("[data-testid='user-unlock']"));
    }

    [Fact]
    public void Lock_LastAdministrator_ShowsTheRefusalAndKeepsTheUserUnlocked()
    {
        _users.Add("chief@cityops.local", [Roles.Administrator]);
        _users.Refusal = "You cannot lock chief@cityops.local: they are the last administrator. Make someone else an administrator first.";
        var cut = RenderPage<UsersPage>();

        cut.Find("[data-testid='user-lock']").Click();

        Assert.Contains("last administrator", cut.Find("[data-testid='users-error']").TextContent);
        Assert.Contains("active", cut.Find("[data-testid='user-status']").TextContent);
    }

    [Fact]
    public void SetRoles_TickAndSave_SendsTheChosenRolesAndShowsTheirChips()
    {
        var id = _users.Add("op@cityops.local", [Roles.Operator]);
        var cut = RenderPage<UsersPage>();

        cut.Find("[data-testid='user-edit-roles']").Click();
        Input(cut, "edit-role-Manager").Change(true);
        Input(cut, "edit-role-Operator").Change(false);
        cut.Find("[data-testid='roles-save']").Click();

        var change = _users.RoleChanges.Single();
        Assert.Equal(id, change.Id);
        Assert.Equal([Roles.Manager], change.Roles);
        Assert.Equal(["Manager"], cut.FindAll("[data-testid='role-chip']").Select(c => c.TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid='role-editor']"));
    }

    [Fact]
    public void ResetPassword_Clicked_NewPasswordShownOnceAndGoneAfterClosing()
    {
        _users.Add("op@cityops.local", [Roles.Operator]);
        var cut = RenderPage<UsersPage>();

        cut.Find("[data-testid='user-reset-password']").Click();

        Assert.Equal(FakeUsers.GeneratedPassword, cut.Find("[data-testid='one-time-password']").TextContent);
        Assert.Contains("op@cityops.local", cut.Find("[data-testid='password-panel']").TextContent);
        cut.Find("[data-testid='close-password']").Click();
        Assert.DoesNotContain(FakeUsers.GeneratedPassword, cut.Markup);
    }

    [Fact]
    public void Create_NoPasswordGiven_ShowsTheGeneratedOneTimePassword()
    {
        var cut = RenderPage<UsersPage>();

        Input(cut, "new-user-email").Input("new@cityops.local");
        Input(cut, "new-user-role-Manager").Change(true);
        cut.Find("[data-testid='new-user-create']").Click();

        var created = _users.Created.Single();
        Assert.Equal(("new@cityops.local", (string?)null), (created.Email, created.Password));
        Assert.Equal([Roles.Operator, Roles.Manager], created.Roles);
        Assert.Equal(FakeUsers.GeneratedPassword, cut.Find("[data-testid='one-time-password']").TextContent);
        Assert.Single(cut.FindAll("[data-testid='user-row']"));
    }

    [Fact]
    public void Delete_Clicked_AsksFirstAndDeletesOnlyWhenConfirmed()
    {
        var id = _users.Add("op@cityops.local", [Roles.Operator]);
        var cut = RenderPage<UsersPage>();

        cut.Find("[data-testid='user-delete']").Click();
        Assert.Empty(_users.Deleted);
        cut.Find("[data-testid='delete-confirm-button']").Click();

        Assert.Equal([id], _users.Deleted);
        Assert.Empty(cut.FindAll("[data-testid='user-row']"));
    }

    private sealed class FakeUsers : IUserAdministration
    {
        public const string GeneratedPassword = "Gen-Pass-word-1234";
        private readonly List<UserRow> _rows = [];

        public string? Refusal { get; set; }
        public List<NewUser> Created { get; } = [];
        public List<(string Id, IReadOnlyList<string> Roles)> RoleChanges { get; } = [];
        public List<string> Deleted { get; } = [];

        public string Add(string email, string[] roles, bool locked = false, DateTime? lastSignIn = null)
        {
            var id = Guid.NewGuid().ToString();
            _rows.Add(new UserRow(id, email, null, roles, locked, lastSignIn));
            return id;
        }

        public Task<IReadOnlyList<UserRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<UserRow>>([.. _rows]);

        public Task<UserWithPassword> CreateAsync(ClaimsPrincipal user, NewUser account, CancellationToken cancellationToken = default)
        {
            Created.Add(account);
            var id = Add(account.Email, [.. account.Roles]);
            return Task.FromResult(new UserWithPassword(_rows.Single(r => r.Id == id), account.Password is null ? GeneratedPassword : null));
        }

        public Task<UserRow> SetRolesAsync(ClaimsPrincipal user, string id, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
        {
            RoleChanges.Add((id, roles));
            return Task.FromResult(Replace(id, r => r with { Roles = roles }));
        }

        public Task<UserWithPassword> ResetPasswordAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default) =>
            Task.FromResult(new UserWithPassword(_rows.Single(r => r.Id == id), GeneratedPassword));

        public Task<UserRow> LockAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default) =>
            Refusal is { } refusal ? throw new InvalidOperationException(refusal) : Task.FromResult(Replace(id, r => r with { Locked = true }));

        public Task<UserRow> UnlockAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default) =>
            Task.FromResult(Replace(id, r => r with { Locked = false }));

        public Task DeleteAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
        {
            Deleted.Add(id);
            _rows.RemoveAll(r => r.Id == id);
            return Task.CompletedTask;
        }

        private UserRow Replace(string id, Func<UserRow, UserRow> change)
        {
            var i = _rows.FindIndex(r => r.Id == id);
            _rows[i] = change(_rows[i]);
            return _rows[i];
        }
    }
}
