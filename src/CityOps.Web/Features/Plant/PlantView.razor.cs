using System.Globalization;
using System.Text;
using CityOps.Analytics.Alerts;
using CityOps.Web.Features.Alerts;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Live;
using CityOps.Web.Features.SensorDetail;
using Microsoft.AspNetCore.Components;

namespace CityOps.Web.Features.Plant;

/// <summary>
/// The plant as a schematic of its lines and machines: per machine its state (coloured only when it
/// needs attention), its key values with units and a sparkline of the last minutes each. Re-renders at
/// the live store's cadence for this site; clicking a machine opens its detail.
/// </summary>
public sealed partial class PlantView : IDisposable
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private const int SparklinePoints = 60;
    private const double SparklineWidth = 95;
    private const double SparklineHeight = 22;
    private readonly CancellationTokenSource _disposed = new();
    private ScreenSite? _site;
    private PlantLayout? _layout;
    private Dictionary<string, ScreenAsset> _assets = [];
    private IDisposable? _subscription;
    private IDisposable? _alarmSubscription;
    private bool _loaded;

    [Inject] public required LiveStore Live { get; init; }

    [Inject] public required IScreenDirectory Directory { get; init; }

    [Inject] public required IPlantLayouts Layouts { get; init; }

    [Inject] public required TimeProvider Time { get; init; }

    [Inject] public required AlarmBoard Alarms { get; init; }

    [Parameter] public string SiteKey { get; set; } = "";

    protected override async Task OnParametersSetAsync()
    {
        if (_loaded && _site?.Key == SiteKey)
        {
            return;
        }
        _subscription?.Dispose();
        var world = await Directory.LoadAsync(cancellationToken: _disposed.Token);
        _site = world.Sites.FirstOrDefault(s => s.Key == SiteKey);
        _loaded = true;
        if (_site is null)
        {
            return;
        }
        _layout = Layouts.For(_site, world);
        _assets = world.Assets.Where(a => a.SiteId == _site.Id).ToDictionary(a => a.Key, StringComparer.Ordinal);
        _subscription = Live.Subscribe(() => _ = InvokeAsync(OnLiveChanged), _site.Id);
        _alarmSubscription ??= Alarms.Subscribe(() => InvokeAsync(OnLiveChanged));
    }

    /// <summary>The worst priority of the machine's standing alarms and how many it has.</summary>
    private (AlarmPriority? Worst, int Count) MachineAlarms(PlantMachine machine)
    {
        var alarms = Alarms.ForAsset(machine.Key).Where(a => AlarmStyle.IsAnnunciated(a.State)).ToList();
        return (AlarmStyle.Worst(alarms), alarms.Count);
    }

    private void OnLiveChanged()
    {
        if (!_disposed.IsCancellationRequested)
        {
            StateHasChanged();
        }
    }

    /// <summary>What a machine box shows: its asset (null when the layout names an unknown key) and state.</summary>
    private (ScreenAsset? Asset, LiveState State) MachineState(PlantMachine machine)
    {
        var asset = _assets.GetValueOrDefault(machine.Key);
        return (asset, asset is null ? LiveState.Offline : Live.GetAsset(asset.Id).Worst);
    }

    /// <summary>Why a machine needs attention: each sensor that does, with its data-quality issue.</summary>
    private string Tooltip(ScreenAsset? asset, LiveState state)
    {
        if (asset is null)
        {
            return "Not registered";
        }
        var issues = asset.Sensors
            .Select(s => (Sensor: s, Snapshot: Live.GetSensor(s.Id)))
            .Where(x => x.Snapshot is { } snap && LiveStateStyle.NeedsAttention(snap.State))
            .Select(x => $"{SensorLabels.Signal(x.Sensor.Signal)}: {x.Snapshot!.QualityIssue ?? LiveStateStyle.Label(x.Snapshot.State)}")
            .ToList();
        return issues.Count == 0 ? $"{asset.Name}: {LiveStateStyle.Label(state)}" : $"{asset.Name}\n{string.Join("\n", issues)}";
    }

    private IEnumerable<ScreenSensor> ShownSensors(ScreenAsset? asset) =>
        asset is null ? [] : _layout!.Values.Select(v => asset.Sensors.FirstOrDefault(s => s.Signal == v)).OfType<ScreenSensor>();

    /// <summary>The recent history scaled into a small box (its own min..max), at most <see cref="SparklinePoints"/> points.</summary>
    internal static string Sparkline(IReadOnlyList<(DateTime Ts, double Value)> history, double x, double y)
    {
        if (history.Count < 2)
        {
            return "";
        }
        var step = Math.Max(1, history.Count / SparklinePoints);
        double min = double.MaxValue, max = double.MinValue;
        foreach (var (_, v) in history)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        var span = max - min < 1e-9 ? 1 : max - min;
        var t0 = history[0].Ts.Ticks;
        var tSpan = Math.Max(1, history[^1].Ts.Ticks - t0);
        var points = new StringBuilder();
        for (var i = 0; i < history.Count; i += step)
        {
            Append(points, history[i]);
        }
        if ((history.Count - 1) % step != 0)
        {
            Append(points, history[^1]);
        }
        return points.ToString();

        void Append(StringBuilder sb, (DateTime Ts, double Value) p)
        {
            var px = x + (p.Ts.Ticks - t0) / (double)tSpan * SparklineWidth;
            var py = y - (p.Value - min) / span * SparklineHeight;
            sb.Append(F(px)).Append(',').Append(F(py)).Append(' ');
        }
    }

    internal static string FormatValue(double? value, string unit) => value switch
    {
        null => $"– {unit}",
        { } v when Math.Abs(v) >= 100 => $"{v.ToString("0", Culture)} {unit}",
        { } v => $"{v.ToString("0.0", Culture)} {unit}",
    };

    private static string Summary(GroupLiveStatus s) => s switch
    {
        { Total: 0 } => "No sensors registered",
        { Offline: 0, Abnormal: 0, Stale: 0 } => $"All {s.Total} sensors normal",
        _ => string.Join(", ", new[] { (s.Offline, "offline"), (s.Abnormal, "abnormal"), (s.Stale, "stale") }
            .Where(p => p.Item1 > 0).Select(p => $"{p.Item1} {p.Item2}")) + $" of {s.Total} sensors",
    };

    private string Clock()
    {
        var now = Time.GetUtcNow().UtcDateTime;
        return _site is null ? "" : Home.Home.FormatTime(now, _site.TimeZone);
    }

    internal static string F(double v) => v.ToString("0.##", Culture);

    public void Dispose()
    {
        _subscription?.Dispose();
        _alarmSubscription?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
