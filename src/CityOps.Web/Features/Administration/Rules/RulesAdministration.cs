using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;

namespace CityOps.Web.Features.Administration.Rules;

/// <summary>A rule as the administration lists it.</summary>
public sealed record AdminRuleView(string Key, int Version, bool Enabled, AlertRuleDefinition Definition)
{
    public static AdminRuleView From(AlertRule rule) => new(rule.Key, rule.Version, rule.Enabled, rule.Definition with { Enabled = rule.Enabled });
}

/// <summary>One saved version of a rule: who, when, why, and what.</summary>
public sealed record AdminRuleVersionView(int Version, string SavedBy, DateTime SavedAt, string? ChangeNote, AlertRuleDefinition Definition)
{
    public static AdminRuleVersionView From(AlertRuleVersion v) => new(v.Version, v.SavedBy, v.SavedAt, v.ChangeNote, v.Definition);
}

/// <summary>Body of <c>PUT rules/{key}</c>.</summary>
public sealed record RuleSaveRequest(AlertRuleDefinition Definition, string? ChangeNote);

/// <summary>Body of <c>POST rules/{key}/clone</c>.</summary>
public sealed record RuleCloneRequest(string NewKey);

/// <summary>Optional body of enable, disable and restore: why.</summary>
public sealed record RuleChangeRequest(string? Reason);

/// <summary>Body of <c>POST rules/backtest</c>; without a range, the last 7 days.</summary>
public sealed record RuleBacktestRequest(AlertRuleDefinition Definition, DateTime? From, DateTime? To);

/// <summary>What a save, clone or restore produced.</summary>
public sealed record RuleSavedResponse(string Key, int Version);

/// <summary>Registers the rules part of the administration area.</summary>
public static class RulesAdministration
{
    public static void Add(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IRuleBacktester, RuleBacktester>();
        builder.Services.AddSingleton<RuleTransferService>();
        builder.Services.AddSingleton<RuleAdministration>();
        builder.Services.AddSingleton<IRulePagesBackend, RulePagesBackend>();
    }

    /// <summary>Maps this part's endpoints on <paramref name="admin"/> (<c>/api/v1/admin</c>, Administrators only).</summary>
    /// <remarks>Definitions travel in their stored JSON form (<see cref="AlertRuleJson"/>: enums by name, the model's kind
    /// in <c>"model"</c>), the same as export files, so what the API returns can be saved back or imported unchanged.</remarks>
    public static void Map(RouteGroupBuilder admin)
    {
        var rules = admin.MapGroup("/rules").WithTags("Alert rules administration");
        rules.MapGet("/", ListAsync).WithName("AdminListRules").WithSummary("List the alert rules (not deleted)");
        rules.MapGet("/export", ExportAsync).WithName("AdminExportRules")
            .WithSummary("Export rules as a JSON document").WithDescription("All rules, or those named by repeated `keys` parameters.");
        rules.MapPost("/import", ImportAsync).WithName("AdminImportRules")
            .WithSummary("Import an export document")
            .WithDescription("Answers a per-rule report (Created, Updated, Unchanged, Rejected with reasons); with `dryRun=true` nothing is saved.");
        rules.MapPost("/backtest", BacktestAsync).WithName("AdminBacktestRule")
            .WithSummary("Backtest a rule definition over stored history")
            .WithDescription("Runs the definition (and the saved version of the rule, for comparison) over [from, to), by default the last 7 days.");
        rules.MapGet("/{key}", GetAsync).WithName("AdminGetRule").WithSummary("One rule with its current definition");
        rules.MapGet("/{key}/versions", VersionsAsync).WithName("AdminListRuleVersions").WithSummary("Every saved version of a rule, newest first");
        rules.MapPut("/{key}", SaveAsync).WithName("AdminSaveRule")
            .WithSummary("Create or change a rule").WithDescription("Saves a new version; an invalid definition is answered 400 with every problem by field.");
        rules.MapPost("/{key}/clone", CloneAsync).WithName("AdminCloneRule").WithSummary("Copy a rule under a new key (disabled)");
        rules.MapPost("/{key}/enable", (string key, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
            SetEnabledAsync(key, true, request, user, service, ct)).WithName("AdminEnableRule").WithSummary("Enable a rule");
        rules.MapPost("/{key}/disable", (string key, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
            SetEnabledAsync(key, false, request, user, service, ct)).WithName("AdminDisableRule").WithSummary("Disable a rule");
        rules.MapDelete("/{key}", DeleteAsync).WithName("AdminDeleteRule").WithSummary("Delete a rule (softly: its alarms and versions stay)");
        rules.MapPost("/{key}/restore/{version:int}", RestoreAsync).WithName("AdminRestoreRule")
            .WithSummary("Make an old version current").WithDescription("Saves the old definition as a new version.");
    }

    private static Task<IResult> ListAsync(ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () => Json((await service.ListAsync(user, ct)).Select(AdminRuleView.From).ToList()));

    private static Task<IResult> GetAsync(string key, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () => await service.GetAsync(user, key, ct) is { } rule ? Json(AdminRuleView.From(rule)) : NoRule(key));

    private static Task<IResult> VersionsAsync(string key, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            var versions = await service.ListVersionsAsync(user, key, ct);
            return versions.Count == 0 ? NoRule(key) : Json(versions.Select(AdminRuleVersionView.From).ToList());
        });

    private static Task<IResult> SaveAsync(string key, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            AdminGuard.Demand(user);
            var (body, error) = await ReadAsync<RuleSaveRequest>(request, ct);
            if (body is null)
            {
                return error!;
            }
            if (body.Definition is null)
            {
                return Problem("The body needs a \"definition\".");
            }
            if (!string.Equals(body.Definition.Key, key, StringComparison.Ordinal))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["key"] = [$"The definition's key \"{body.Definition.Key}\" differs from the address's \"{key}\"; to copy a rule, clone it."],
                }, title: "The rule is invalid.");
            }
            var version = await service.SaveAsync(user, body.Definition, body.ChangeNote, ct);
            return Json(new RuleSavedResponse(key, version));
        });

    private static Task<IResult> CloneAsync(string key, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            AdminGuard.Demand(user);
            var (body, error) = await ReadAsync<RuleCloneRequest>(request, ct);
            if (body is null)
            {
                return error!;
            }
            try
            {
                var version = await service.CloneAsync(user, key, body.NewKey, ct);
                return Json(new RuleSavedResponse(body.NewKey, version), StatusCodes.Status201Created);
            }
            catch (InvalidOperationException e)
            {
                return Problem(e.Message, StatusCodes.Status409Conflict);
            }
        });

    private static Task<IResult> SetEnabledAsync(string key, bool enabled, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            if (await service.GetAsync(user, key, ct) is null)
            {
                return NoRule(key);
            }
            var (body, error) = await ReadOptionalAsync<RuleChangeRequest>(request, ct);
            if (error is not null)
            {
                return error;
            }
            await service.SetEnabledAsync(user, [key], enabled, body?.Reason, ct);
            return await service.GetAsync(user, key, ct) is { } rule ? Json(AdminRuleView.From(rule)) : NoRule(key);
        });

    private static Task<IResult> DeleteAsync(string key, string? reason, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            await service.DeleteAsync(user, key, reason, ct);
            return TypedResults.NoContent();
        });

    private static Task<IResult> RestoreAsync(string key, int version, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            AdminGuard.Demand(user);
            var (body, error) = await ReadOptionalAsync<RuleChangeRequest>(request, ct);
            if (error is not null)
            {
                return error;
            }
            var saved = await service.RestoreAsync(user, key, version, body?.Reason, ct);
            return Json(new RuleSavedResponse(key, saved));
        });

    private static Task<IResult> BacktestAsync(HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            AdminGuard.Demand(user);
            var (body, error) = await ReadAsync<RuleBacktestRequest>(request, ct);
            if (body is null)
            {
                return error!;
            }
            if (body.Definition is null)
            {
                return Problem("The body needs a \"definition\".");
            }
            return Json(await service.BacktestAsync(user, body.Definition, body.From, body.To, null, ct));
        });

    private static Task<IResult> ExportAsync(string[]? keys, ClaimsPrincipal user, RuleAdministration service, TimeProvider time, CancellationToken ct) =>
        Guard(async () =>
        {
            var json = await service.ExportAsync(user, keys is { Length: > 0 } ? keys : null, ct);
            var name = $"cityops-alert-rules-{time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.json";
            return TypedResults.File(Encoding.UTF8.GetBytes(json), "application/json", name);
        });

    private static Task<IResult> ImportAsync(bool? dryRun, HttpRequest request, ClaimsPrincipal user, RuleAdministration service, CancellationToken ct) =>
        Guard(async () =>
        {
            AdminGuard.Demand(user);
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var json = await reader.ReadToEndAsync(ct);
            return Json(await service.ImportAsync(user, json, dryRun ?? false, ct));
        });

    /// <summary>Turns what a caller can get wrong into problem answers; anything else is ours and propagates.</summary>
    private static async Task<IResult> Guard(Func<Task<IResult>> handler)
    {
        try
        {
            return await handler();
        }
        catch (RuleValidationException e)
        {
            return TypedResults.ValidationProblem(
                e.Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                detail: e.Message, title: "The rule is invalid.");
        }
        catch (UnauthorizedAccessException e)
        {
            return Problem(e.Message, StatusCodes.Status403Forbidden);
        }
        catch (KeyNotFoundException e)
        {
            return Problem(e.Message, StatusCodes.Status404NotFound);
        }
        catch (FormatException e)
        {
            return Problem(e.Message);
        }
        catch (NotSupportedException e)
        {
            // A model this deployment does not have yet: it can be saved, not backtested.
            return Problem(e.Message);
        }
        catch (ArgumentException e)
        {
            return Problem(e.Message);
        }
    }

    private static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, AlertRuleJson.Options, ct);
            return value is null ? (null, Problem("The request needs a JSON body.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problem($"The request body cannot be read: {e.Message}"));
        }
    }

    private static async Task<(T? Value, IResult? Error)> ReadOptionalAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class =>
        request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any(v => v?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true)
            ? (null, null)
            : await ReadAsync<T>(request, ct);

    private static IResult Json<T>(T value, int status = StatusCodes.Status200OK) => TypedResults.Json(value, AlertRuleJson.Options, statusCode: status);

    private static IResult NoRule(string key) => Problem($"There is no alert rule '{key}'.", StatusCodes.Status404NotFound);

    private static IResult Problem(string detail, int status = StatusCodes.Status400BadRequest) => TypedResults.Problem(detail, statusCode: status);
}
