using System.Globalization;
using CityOps.Web.Features.Live;
using Microsoft.AspNetCore.Components;

namespace CityOps.Web.Features.Home;

/// <summary>
/// The overview of every site: how fast readings arrive, how many sensors report, how old the newest
/// reading is. It re-renders when readings arrive (throttled by the live store) and once a second, so
/// that ages keep counting while a site is silent.
/// </summary>
public sealed partial class Home : IDisposable
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<SiteSummary>? _sites;
    private IDisposable? _subscription;
    private ITimer? _ticker;

    [Inject] public required LiveStore Live { get; init; }

    [Inject] public required ISiteDirectory Sites { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    internal enum SiteState { Normal, NoSensors, NoData, Silent, PartlySilent }

    internal sealed record SiteRow(SiteSummary Site, SiteLiveStatus Status)
    {
        public SiteState State => Status switch
        {
            { SensorsTotal: 0 } => SiteState.NoSensors,
            { LastReadingAt: null } => SiteState.NoData,
            { SensorsReporting: 0 } => SiteState.Silent,
            { SensorsSilent: > 0 } => SiteState.PartlySilent,
            _ => SiteState.Normal,
        };

        /// <summary>Sensors that should report and do not; a site without sensors is merely empty.</summary>
        public bool IsAbnormal => State is SiteState.NoData or SiteState.Silent or SiteState.PartlySilent;
    }

    protected override async Task OnInitializedAsync()
    {
        _subscription = Live.Subscribe(() => InvokeAsync(StateHasChanged));
        _ticker = Time.CreateTimer(_ => _ = InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _sites = await Sites.ListAsync(_disposed.Token);
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _ticker?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private static string StateText(SiteRow row) => row.State switch
    {
        SiteState.NoSensors => "No sensors registered",
        SiteState.NoData => "No readings yet",
        SiteState.Silent => "Not reporting",
        SiteState.PartlySilent => $"{Plural(row.Status.SensorsSilent, "sensor")} silent",
        _ => "Reporting",
    };

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    internal static string FormatAge(TimeSpan? age) => age switch
    {
        null => "–",
        { TotalSeconds: < 60 } a => $"{(int)a.TotalSeconds} s ago",
        { TotalMinutes: < 60 } a => $"{(int)a.TotalMinutes} min ago",
        { TotalHours: < 48 } a => $"{(int)a.TotalHours} h {a.Minutes} min ago",
        { } a => $"{(int)a.TotalDays} days ago",
    };

    internal static string FormatTime(DateTime? utc, TimeZoneInfo zone)
    {
        if (utc is not { } t)
        {
            return "no reading";
        }
        var local = TimeZoneInfo.ConvertTimeFromUtc(t, zone);
        var offset = zone.GetUtcOffset(t);
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var offsetText = offset == TimeSpan.Zero ? "UTC" : $"UTC{sign}{offset:hh\\:mm}";
        return $"{local.ToString("HH:mm:ss", Culture)} {offsetText}";
    }
}
