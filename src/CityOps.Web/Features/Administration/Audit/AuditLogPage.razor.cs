using System.Globalization;
using CityOps.Web.Features.Audit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.WebUtilities;

namespace CityOps.Web.Features.Administration.Audit;

/// <summary>
/// The audit log for administrators. The filters and the page position live in the URL (so a view can be shared as a
/// link and the browser's back button works); entries are read in keyset pages, newest first.
/// </summary>
public sealed partial class AuditLogPage
{
    internal const int PageSize = 50;
    private const string LocalTime = "yyyy-MM-ddTHH:mm";

    private readonly HashSet<long> _expanded = [];
    private FilterForm _form = new();
    private AuditFilter _filter = AuditFilter.None;
    private IReadOnlyList<AuditEntry> _entries = [];
    private long? _nextBefore;
    private bool _loading;
    private string? _error;

    [Inject] public required IAuditReader Audit { get; init; }
    [Inject] public required NavigationManager Navigation { get; init; }
    [Inject] public required ILogger<AuditLogPage> Logger { get; init; }

    [CascadingParameter] public Task<AuthenticationState>? Authentication { get; set; }

    [SupplyParameterFromQuery(Name = "from")] public string? From { get; set; }
    [SupplyParameterFromQuery(Name = "to")] public string? To { get; set; }
    [SupplyParameterFromQuery(Name = "actor")] public string? Actor { get; set; }
    [SupplyParameterFromQuery(Name = "category")] public string? Category { get; set; }
    [SupplyParameterFromQuery(Name = "action")] public string? Action { get; set; }
    [SupplyParameterFromQuery(Name = "target")] public string? Target { get; set; }
    [SupplyParameterFromQuery(Name = "before")] public long? Before { get; set; }

    /// <summary>The CSV of everything the current filters match (not only this page).</summary>
    private string ExportHref => QueryHelpers.AddQueryString($"{AdministrationExtensions.ApiPrefix}/audit/export.csv",
        _filter.ToQuery().Where(p => p.Value is not null));

    protected override async Task OnParametersSetAsync()
    {
        _filter = AuditFilter.FromQuery(new Dictionary<string, string?>
        {
            ["from"] = From, ["to"] = To, ["actor"] = Actor, ["category"] = Category, ["action"] = Action, ["target"] = Target,
        });
        _form = FilterForm.Of(_filter);
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        try
        {
            var user = Authentication is null ? new() : (await Authentication).User;
            var page = await Audit.SearchAsync(user, _filter, Before, PageSize, CancellationToken.None);
            _entries = page.Entries;
            _nextBefore = page.NextBefore;
            _expanded.Clear();
        }
        catch (UnauthorizedAccessException e)
        {
            _error = e.Message;
        }
        catch (Exception e)
        {
            Logger.LogError(e, "Could not read the audit log");
            _error = "The audit log could not be read. Try again in a moment.";
        }
        finally
        {
            _loading = false;
        }
    }

    private void Toggle(AuditEntry entry)
    {
        if (!_expanded.Remove(entry.Id))
        {
            _expanded.Add(entry.Id);
        }
    }

    private Task ApplyAsync() => NavigateAsync(_form.ToFilter(), before: null);

    private Task ClearAsync() => NavigateAsync(AuditFilter.None, before: null);

    private Task NewestAsync() => NavigateAsync(_filter, before: null);

    private Task OlderAsync() => NavigateAsync(_filter, _nextBefore);

    private Task NavigateAsync(AuditFilter filter, long? before)
    {
        var query = filter.ToQuery().ToDictionary(p => p.Key, p => (object?)p.Value);
        query["before"] = before;
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(query));
        return Task.CompletedTask;
    }

    /// <summary>What the filter inputs hold; times as the browser's datetime-local text, read as UTC.</summary>
    private sealed class FilterForm
    {
        public string? From { get; set; }
        public string? To { get; set; }
        public string? Actor { get; set; }
        public AuditCategory? Category { get; set; }
        public string? Action { get; set; }
        public string? Target { get; set; }

        public static FilterForm Of(AuditFilter f) => new()
        {
            From = f.From?.ToString(LocalTime, CultureInfo.InvariantCulture),
            To = f.To?.ToString(LocalTime, CultureInfo.InvariantCulture),
            Actor = f.Actor,
            Category = f.Category,
            Action = f.Action,
            Target = f.Target,
        };

        public AuditFilter ToFilter() => AuditFilter.FromQuery(new Dictionary<string, string?>
        {
            ["from"] = From, ["to"] = To, ["actor"] = Actor, ["category"] = Category?.ToString(), ["action"] = Action, ["target"] = Target,
        });
    }
}
