using System.Security.Claims;
using System.Security.Cryptography;
using CityOps.Web.Data;
using CityOps.Web.Features.Accounts;
using CityOps.Web.Features.Audit;
using CityOps.Web.Features.Cluster;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CityOps.Web.Features.Administration.Users;

/// <summary>A user as the administration page lists them.</summary>
public sealed record UserRow(string Id, string Email, string? DisplayName, IReadOnlyList<string> Roles, bool Locked, DateTime? LastSignInAt);

/// <summary>A new account: with no <see cref="Password"/> a one-time password is generated.</summary>
public sealed record NewUser(string Email, string? DisplayName, IReadOnlyList<string> Roles, string? Password);

/// <summary>The result of an operation that sets a password: the password is shown once and stored only as a hash.</summary>
public sealed record UserWithPassword(UserRow User, string? Password);

/// <summary>The user operations of the administration area (the page and <c>/api/v1/admin/users</c> both use them).</summary>
public interface IUserAdministration
{
    Task<IReadOnlyList<UserRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default);

    Task<UserWithPassword> CreateAsync(ClaimsPrincipal user, NewUser account, CancellationToken cancellationToken = default);

    Task<UserRow> SetRolesAsync(ClaimsPrincipal user, string id, IReadOnlyList<string> roles, CancellationToken cancellationToken = default);

    /// <summary>Replaces the password with a generated one, returned once.</summary>
    Task<UserWithPassword> ResetPasswordAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default);

    Task<UserRow> LockAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default);

    Task<UserRow> UnlockAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default);

    Task DeleteAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default);
}

/// <summary>
/// Accounts and roles through ASP.NET Core Identity. Every change runs in one transaction with its audit entry (never a
/// password) under an advisory lock, so two administrators demoting each other at once cannot leave none: the
/// last unlocked administrator cannot lose the role, be locked or be deleted, and nobody can lock or delete themself.
/// Changes that must end open sessions (roles, lock, password, delete) renew the security stamp and are announced on
/// <see cref="ChangeTopics.Users"/>, which makes every node re-check that user's cookie and open screens at once.
/// Invalid input throws <see cref="ArgumentException"/>, an unknown user <see cref="KeyNotFoundException"/>, a refused
/// change <see cref="InvalidOperationException"/> with a message for the administrator.
/// </summary>
public sealed class UserAdministration(
    IServiceScopeFactory scopes, AuditLog audit, ChangeSignals signals, TimeProvider time, IOptions<IdentityOptions> identityOptions)
    : IUserAdministration
{
    /// <summary>A lock by an administrator lasts until an administrator lifts it.</summary>
    public static readonly DateTimeOffset LockedUntil = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
    private const long UsersLock = 0x43_69_74_79_55_73_72; // "CityUsr": serialises administrators' account changes.

    public async Task<IReadOnlyList<UserRow>> ListAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default)
    {
        AdminGuard.Demand(user);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var roles = await RolesByUserAsync(db, cancellationToken);
        var now = time.GetUtcNow();
        return [.. users.Select(u => ToRow(u, roles.GetValueOrDefault(u.Id, []), now))];
    }

    public async Task<UserWithPassword> CreateAsync(ClaimsPrincipal user, NewUser account, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        var email = account.Email?.Trim() ?? "";
        if (email.Length == 0 || !email.Contains('@'))
        {
            throw new ArgumentException("Enter the user's email address.");
        }
        var roles = ValidRoles(account.Roles);
        var generated = string.IsNullOrEmpty(account.Password) ? GeneratePassword() : null;
        var row = await ChangeAsync(actor, null, "user.created", async (users, _) =>
        {
            var created = new CityOpsUser
            {
                UserName = email,
                Email = email,
                EmailConfirmed = true,
                DisplayName = string.IsNullOrWhiteSpace(account.DisplayName) ? null : account.DisplayName.Trim(),
            };
            Check(await users.CreateAsync(created, generated ?? account.Password!));
            if (roles.Count > 0)
            {
                Check(await users.AddToRolesAsync(created, roles));
            }
            return created;
        }, cancellationToken, publish: false);
        return new UserWithPassword(row, generated);
    }

    public Task<UserRow> SetRolesAsync(ClaimsPrincipal user, string id, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        var wanted = ValidRoles(roles);
        return ChangeAsync(actor, id, "user.roles_changed", async (users, target) =>
        {
            var current = await users.GetRolesAsync(target!);
            if (current.Contains(Roles.Administrator) && !wanted.Contains(Roles.Administrator))
            {
                await RefuseIfLastAdministratorAsync(users, target!, "take the Administrator role from");
            }
            var remove = current.Except(wanted).ToList();
            var add = wanted.Except(current).ToList();
            if (remove.Count > 0)
            {
                Check(await users.RemoveFromRolesAsync(target!, remove));
            }
            if (add.Count > 0)
            {
                Check(await users.AddToRolesAsync(target!, add));
            }
            Check(await users.UpdateSecurityStampAsync(target!));
            return target!;
        }, cancellationToken);
    }

    public async Task<UserWithPassword> ResetPasswordAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        var password = GeneratePassword();
        var row = await ChangeAsync(actor, id, "user.password_reset", async (users, target) =>
        {
            // ResetPasswordAsync also renews the security stamp, which signs the user out elsewhere.
            var token = await users.GeneratePasswordResetTokenAsync(target!);
            Check(await users.ResetPasswordAsync(target!, token, password));
            return target!;
        }, cancellationToken);
        return new UserWithPassword(row, password);
    }

    public Task<UserRow> LockAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        return ChangeAsync(actor, id, "user.locked", async (users, target) =>
        {
            if (target!.Id == user.FindFirstValue(ClaimTypes.NameIdentifier))
            {
                throw new InvalidOperationException("You cannot lock your own account.");
            }
            if (await users.IsInRoleAsync(target, Roles.Administrator))
            {
                await RefuseIfLastAdministratorAsync(users, target, "lock");
            }
            Check(await users.SetLockoutEnabledAsync(target, true));
            Check(await users.SetLockoutEndDateAsync(target, LockedUntil));
            Check(await users.UpdateSecurityStampAsync(target));
            return target;
        }, cancellationToken);
    }

    public Task<UserRow> UnlockAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        return ChangeAsync(actor, id, "user.unlocked", async (users, target) =>
        {
            Check(await users.SetLockoutEndDateAsync(target!, null));
            Check(await users.ResetAccessFailedCountAsync(target!));
            return target!;
        }, cancellationToken);
    }

    public async Task DeleteAsync(ClaimsPrincipal user, string id, CancellationToken cancellationToken = default)
    {
        var actor = AdminGuard.Demand(user);
        await ChangeAsync(actor, id, "user.deleted", async (users, target) =>
        {
            if (target!.Id == user.FindFirstValue(ClaimTypes.NameIdentifier))
            {
                throw new InvalidOperationException("You cannot delete your own account.");
            }
            if (await users.IsInRoleAsync(target, Roles.Administrator))
            {
                await RefuseIfLastAdministratorAsync(users, target, "delete");
            }
            Check(await users.DeleteAsync(target));
            return null;
        }, cancellationToken);
    }

    /// <summary>A password Identity's rules accept: at least 16 characters with upper, lower, digit and symbol.</summary>
    public string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", lower = "abcdefghijkmnopqrstuvwxyz", digits = "23456789", symbols = "-_.!#%+=";
        var length = Math.Max(16, identityOptions.Value.Password.RequiredLength);
        var chars = new char[length];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        RandomNumberGenerator.GetItems<char>(upper + lower + digits + symbols, chars.AsSpan(4));
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }

    /// <summary>
    /// Runs <paramref name="change"/> on the user <paramref name="id"/> (null: a new user) in one transaction with its
    /// audit entry; the change returns the user after it, or null when it deleted them.
    /// </summary>
    private async Task<UserRow> ChangeAsync(
        string actor, string? id, string action, Func<UserManager<CityOpsUser>, CityOpsUser?, Task<CityOpsUser?>> change,
        CancellationToken cancellationToken, bool publish = true)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CityOpsUser>>();
        // The same scoped context Identity's store saves through, so its writes and the audit entry share the transaction.
        var db = scope.ServiceProvider.GetRequiredService<CityOpsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({UsersLock})", cancellationToken);
        CityOpsUser? target = null;
        object? before = null;
        if (id is not null)
        {
            target = await users.FindByIdAsync(id) ?? throw new KeyNotFoundException("There is no such user.");
            before = await SnapshotAsync(users, target);
        }
        var after = await change(users, target);
        var afterSnapshot = after is null ? null : await SnapshotAsync(users, after);
        var subject = after ?? target!;
        audit.Add(db, actor, AuditCategory.Account, action, $"user:{subject.Email}", before, afterSnapshot);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (publish)
        {
            await signals.PublishAsync(ChangeTopics.Users, subject.Id, cancellationToken);
        }
        var roles = after is null ? [] : await users.GetRolesAsync(after);
        return ToRow(subject, [.. roles], time.GetUtcNow());
    }

    private async Task RefuseIfLastAdministratorAsync(UserManager<CityOpsUser> users, CityOpsUser target, string what)
    {
        var now = time.GetUtcNow();
        var others = (await users.GetUsersInRoleAsync(Roles.Administrator))
            .Count(u => u.Id != target.Id && !(u.LockoutEnd > now));
        if (others == 0)
        {
            throw new InvalidOperationException(
                $"You cannot {what} {target.Email}: they are the last administrator. Make someone else an administrator first.");
        }
    }

    private static List<string> ValidRoles(IReadOnlyList<string>? roles)
    {
        var result = new List<string>();
        foreach (var role in roles ?? [])
        {
            var known = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Unknown role \"{role}\"; the roles are {string.Join(", ", Roles.All)}.");
            if (!result.Contains(known))
            {
                result.Add(known);
            }
        }
        return result;
    }

    private async Task<object> SnapshotAsync(UserManager<CityOpsUser> users, CityOpsUser u) => new
    {
        u.Email,
        u.DisplayName,
        Roles = (await users.GetRolesAsync(u)).Order().ToArray(),
        Locked = u.LockoutEnd > time.GetUtcNow(),
    };

    private static async Task<Dictionary<string, string[]>> RolesByUserAsync(CityOpsDbContext db, CancellationToken cancellationToken)
    {
        var pairs = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           select new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        return pairs.GroupBy(p => p.UserId).ToDictionary(g => g.Key, g => g.Select(p => p.Name!).OrderBy(n => Array.IndexOf(Roles.All, n)).ToArray());
    }

    private static UserRow ToRow(CityOpsUser u, string[] roles, DateTimeOffset now) =>
        new(u.Id, u.Email ?? u.UserName ?? u.Id, u.DisplayName, [.. roles.OrderBy(n => Array.IndexOf(Roles.All, n))], u.LockoutEnd > now, u.LastSignInAt);

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
