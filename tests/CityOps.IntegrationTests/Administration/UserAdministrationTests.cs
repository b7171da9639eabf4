using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.IntegrationTests.Ingest;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Administration.Users;
using CityOps.Web.Features.Cluster;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CityOps.IntegrationTests.Administration;

public sealed class UserAdministrationTests(PostgresFixture pg)
{
    private const string Password = "Test-password-42";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateAsync_NoPasswordGiven_GeneratedOneTimePasswordSignsInAndIsNeverAudited()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var admin = await SignedInAdministratorAsync(app);

        var created = await Service(app).CreateAsync(admin, new NewUser(" new.operator@cityops.local ", "New operator", ["operator", Roles.Manager], null), Ct);

        Assert.Equal("new.operator@cityops.local", created.User.Email);
        Assert.Equal([Roles.Operator, Roles.Manager], created.User.Roles);
        Assert.NotNull(created.Password);
        Assert.True(created.Password.Length >= 16);
        var signIn = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "new.operator@cityops.local", created.Password);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
        var audit = await IngestTestHost.QueryScalarAsync<string>(database,
            "SELECT action || '|' || category || '|' || actor || '|' || after::text FROM audit_log WHERE target = 'user:new.operator@cityops.local'");
        Assert.StartsWith("user.created|Account|chief@cityops.local|", audit);
        Assert.Contains("Manager", audit);
        Assert.DoesNotContain(created.Password, audit);
    }

    [Fact]
    public async Task CreateAsync_PasswordTooShortOrUnknownRole_RefusedAndNothingStored()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var admin = await SignedInAdministratorAsync(app);

        var shortPassword = await Assert.ThrowsAsync<ArgumentException>(() =>
            Service(app).CreateAsync(admin, new NewUser("x@cityops.local", null, [Roles.Operator], "short"), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Service(app).CreateAsync(admin, new NewUser("y@cityops.local", null, ["Superuser"], Password), Ct));

        Assert.Contains("12", shortPassword.Message);
        Assert.Null(await AccountClient.FindUserAsync(app.Services, "x@cityops.local"));
        Assert.Equal(0L, await IngestTestHost.QueryScalarAsync<long>(database, "SELECT count(*) FROM audit_log WHERE target = 'user:x@cityops.local'"));
    }

    [Fact]
    public async Task LastAdministrator_RoleRemovalLockOrDelete_RefusedWithAReason()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var only = await AccountClient.CreateUserAsync(app.Services, "only@cityops.local", Password, Roles.Administrator);
        var other = await AccountClient.CreateUserAsync(app.Services, "other@cityops.local", Password, Roles.Manager);
        // The acting administrator is the only one; an acting principal that is not a stored user stands for an API caller.
        var acting = ClusterNodes.Administrator("only@cityops.local", only.Id);
        var service = Service(app);

        var demote = await Assert.ThrowsAsync<InvalidOperationException>(() => service.SetRolesAsync(acting, only.Id, [Roles.Operator], Ct));
        var lockSelf = await Assert.ThrowsAsync<InvalidOperationException>(() => service.LockAsync(acting, only.Id, Ct));
        var lockLast = await Assert.ThrowsAsync<InvalidOperationException>(() => service.LockAsync(ClusterNodes.Administrator("api", "someone-else"), only.Id, Ct));
        var deleteLast = await Assert.ThrowsAsync<InvalidOperationException>(() => service.DeleteAsync(ClusterNodes.Administrator("api", "someone-else"), only.Id, Ct));

        Assert.Contains("last administrator", demote.Message);
        Assert.Contains("your own account", lockSelf.Message);
        Assert.Contains("last administrator", lockLast.Message);
        Assert.Contains("last administrator", deleteLast.Message);
        var rows = await service.ListAsync(acting, Ct);
        var onlyRow = rows.Single(r => r.Id == only.Id);
        Assert.Equal([Roles.Administrator], onlyRow.Roles);
        Assert.False(onlyRow.Locked);
        Assert.Equal(0L, await IngestTestHost.QueryScalarAsync<long>(database, "SELECT count(*) FROM audit_log WHERE target = 'user:only@cityops.local'"));

        // With a second administrator, the first may step down.
        await service.SetRolesAsync(acting, other.Id, [Roles.Manager, Roles.Administrator], Ct);
        var after = await service.SetRolesAsync(acting, only.Id, [Roles.Operator], Ct);
        Assert.Equal([Roles.Operator], after.Roles);
        // … and now the other one is the last.
        await Assert.ThrowsAsync<InvalidOperationException>(() => service.LockAsync(acting, other.Id, Ct));
    }

    [Fact]
    public async Task LastAdministrator_TwoAdministratorsDemoteEachOtherAtOnce_OneRemains()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var first = await AccountClient.CreateUserAsync(app.Services, "first@cityops.local", Password, Roles.Administrator);
        var second = await AccountClient.CreateUserAsync(app.Services, "second@cityops.local", Password, Roles.Administrator);
        var service = Service(app);

        var results = await Task.WhenAll(
            Attempt(() => service.SetRolesAsync(ClusterNodes.Administrator("first@cityops.local", first.Id), second.Id, [Roles.Operator], Ct)),
            Attempt(() => service.SetRolesAsync(ClusterNodes.Administrator("second@cityops.local", second.Id), first.Id, [Roles.Operator], Ct)));

        Assert.Equal(1, results.Count(ok => ok));
        await using var scope = app.Services.CreateAsyncScope();
        Assert.Single(await scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>().GetUsersInRoleAsync(Roles.Administrator));
    }

    [Fact]
    public async Task SetRolesAsync_SignedInAdministratorDemotedOnNodeA_TheirCookieIsRefusedOnNodeBAtOnce()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var chief = await AccountClient.CreateUserAsync(nodes.A.Services, "chief@cityops.local", Password, Roles.Administrator);
        var deputy = await AccountClient.CreateUserAsync(nodes.A.Services, "deputy@cityops.local", Password, Roles.Operator, Roles.Administrator);
        var deputyOnB = nodes.B.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(deputyOnB, "deputy@cityops.local", Password);
        Assert.Equal(HttpStatusCode.OK, (await deputyOnB.GetAsync("/api/v1/admin/users", Ct)).StatusCode);
        var signalled = UserSignalSeen(nodes.B, deputy.Id);

        await Service(nodes.A).SetRolesAsync(ClusterNodes.Administrator("chief@cityops.local", chief.Id), deputy.Id, [Roles.Operator], Ct);
        await signalled.WaitAsync(Timeout, Ct);

        // The cookie still names the old roles; it is checked against the database and refused, not trusted for 30 minutes.
        Assert.Equal(HttpStatusCode.Unauthorized, (await deputyOnB.GetAsync("/api/v1/admin/users", Ct)).StatusCode);
        // Signing in again gives the new roles.
        await AccountClient.SignInAsync(deputyOnB, "deputy@cityops.local", Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await deputyOnB.GetAsync("/api/v1/admin/users", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await deputyOnB.GetAsync("/api/v1/sensors", Ct)).StatusCode);
    }

    [Fact]
    public async Task LockAsync_SignedInOperator_SignedOutAtOnceCannotSignInUntilUnlocked()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var admin = await SignedInAdministratorAsync(app);
        var op = await AccountClient.CreateUserAsync(app.Services, "op@cityops.local", Password, Roles.Operator);
        var client = app.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "op@cityops.local", Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/sensors", Ct)).StatusCode);

        var locked = await Service(app).LockAsync(admin, op.Id, Ct);

        Assert.True(locked.Locked);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/sensors", Ct)).StatusCode);
        var refused = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "op@cityops.local", Password);
        Assert.Contains("error=locked", refused.Headers.Location!.OriginalString);
        var stored = await AccountClient.FindUserAsync(app.Services, "op@cityops.local");
        Assert.True(stored!.LockoutEnd > DateTimeOffset.UtcNow.AddYears(100));

        var unlocked = await Service(app).UnlockAsync(admin, op.Id, Ct);
        Assert.False(unlocked.Locked);
        var again = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "op@cityops.local", Password);
        Assert.Equal("/", again.Headers.Location!.OriginalString);
        var actions = await IngestTestHost.QueryScalarAsync<string>(database,
            "SELECT string_agg(action || ':' || (before->>'locked') || '>' || (after->>'locked'), ',' ORDER BY id) FROM audit_log WHERE target = 'user:op@cityops.local'");
        Assert.Equal("user.locked:false>true,user.unlocked:true>false", actions);
    }

    [Fact]
    public async Task ResetPasswordAsync_SignedInUser_OldPasswordAndSessionStopNewOneWorks()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var admin = await SignedInAdministratorAsync(app);
        var op = await AccountClient.CreateUserAsync(app.Services, "op@cityops.local", Password, Roles.Operator);
        var client = app.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "op@cityops.local", Password);

        var reset = await Service(app).ResetPasswordAsync(admin, op.Id, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/sensors", Ct)).StatusCode);
        var old = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "op@cityops.local", Password);
        Assert.Contains("error=invalid", old.Headers.Location!.OriginalString);
        var fresh = await AccountClient.SignInAsync(app.CreateBrowserLikeClient(), "op@cityops.local", reset.Password!);
        Assert.Equal("/", fresh.Headers.Location!.OriginalString);
        var audit = await IngestTestHost.QueryScalarAsync<string>(database,
            "SELECT coalesce(before::text, '') || coalesce(after::text, '') FROM audit_log WHERE action = 'user.password_reset'");
        Assert.DoesNotContain(reset.Password!, audit);
        Assert.DoesNotContain(Password, audit);
    }

    [Fact]
    public async Task DeleteAsync_AnotherUser_GoneAndAudited()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var admin = await SignedInAdministratorAsync(app);
        var op = await AccountClient.CreateUserAsync(app.Services, "op@cityops.local", Password, Roles.Operator);

        await Service(app).DeleteAsync(admin, op.Id, Ct);

        Assert.Null(await AccountClient.FindUserAsync(app.Services, "op@cityops.local"));
        Assert.Equal("user.deleted", await IngestTestHost.QueryScalarAsync<string>(database,
            "SELECT action FROM audit_log WHERE target = 'user:op@cityops.local' AND after IS NULL"));
    }

    [Fact]
    public async Task AdminApi_UsersOverHttp_ListCreateAndRefuseLastAdministratorAsConflict()
    {
        var database = await pg.CreateDatabaseAsync();
        await using var app = new CityOpsAppFactory(database);
        var chief = await AccountClient.CreateUserAsync(app.Services, "chief@cityops.local", Password, Roles.Administrator);
        var client = app.CreateBrowserLikeClient();
        await AccountClient.SignInAsync(client, "chief@cityops.local", Password);

        var created = await client.PostAsJsonAsync("/api/v1/admin/users", new { email = "m@cityops.local", roles = new[] { "Manager" }, password = Password }, Ct);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/admin/users", Ct);
        var demoteSelf = await client.PutAsJsonAsync($"/api/v1/admin/users/{chief.Id}/roles", new { roles = new[] { "Operator" } }, Ct);
        var lockSelf = await client.PostAsync($"/api/v1/admin/users/{chief.Id}/lock", null, Ct);
        var unknown = await client.PostAsync("/api/v1/admin/users/nobody/lock", null, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await IngestTestHost.ReadJsonAsync(created)).GetProperty("password").ValueKind);
        var manager = list.EnumerateArray().Single(u => u.GetProperty("email").GetString() == "m@cityops.local");
        Assert.Equal(["Manager"], manager.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(manager.GetProperty("locked").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, list.EnumerateArray().Single(u => u.GetProperty("email").GetString() == "chief@cityops.local").GetProperty("lastSignInAt").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, demoteSelf.StatusCode);
        Assert.Contains("last administrator", await demoteSelf.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.Conflict, lockSelf.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static IUserAdministration Service(CityOpsAppFactory app) => app.Services.GetRequiredService<IUserAdministration>();

    private static async Task<System.Security.Claims.ClaimsPrincipal> SignedInAdministratorAsync(CityOpsAppFactory app)
    {
        var chief = await AccountClient.CreateUserAsync(app.Services, "chief@cityops.local", Password, Roles.Administrator);
        return ClusterNodes.Administrator("chief@cityops.local", chief.Id);
    }

    private static async Task<bool> Attempt(Func<Task> operation)
    {
        try
        {
            await operation();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static Task UserSignalSeen(CityOpsAppFactory node, string userId)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = node.Services.GetRequiredService<ChangeSignals>().Subscribe(ChangeTopics.Users, (payload, _) =>
        {
            if (payload == userId)
            {
                seen.TrySetResult();
            }
            return Task.CompletedTask;
        });
        return seen.Task.ContinueWith(_ => subscription.Dispose(), TaskScheduler.Default);
    }
}
