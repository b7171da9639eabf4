using CityOps.Analytics;
using CityOps.Web.Features.Assets;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.Live;
using CityOps.Web.Tests.Fakes;
using CityOps.Web.Tests.Live;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CityOps.Web.Tests.ControlRoom;

/// <summary>
/// A plant with one line and one press (motor temperature −20…150 °C, vibration 0…50 mm/s), its live store
/// and a clock; tests feed readings as the ingest writer would.
/// </summary>
public sealed class ScreenTestWorld : ISensorLookup
{
    public const int SiteId = 7;
    public const int LineId = 70;
    public const int PressId = 71;
    public const int TempId = 701;
    public const int VibrationId = 702;
    private readonly Dictionary<int, SensorInfo> _sensors = [];

    public ScreenTestWorld()
    {
        Add(new ScreenSensor(TempId, "tplant.line1.press.motor_temp", PressId, MetricKind.Temperature, "°C", -20, 150, 1));
        Add(new ScreenSensor(VibrationId, "tplant.line1.press.vibration", PressId, MetricKind.VibrationRms, "mm/s", 0, 50, 1));
        Store = new LiveStore(this, Options.Create(new LiveOptions()), Clock, NullLogger<LiveStore>.Instance, new FakeAssetTree().Child(PressId, LineId));
        Site = new ScreenSite(SiteId, "tplant", "Test Plant", SiteKind.Plant, 48.14, 11.58, 16, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        World = new ScreenWorld(
            [Site],
            [
                new ScreenAsset(LineId, "tplant.line1", SiteId, null, "Line 1", AssetType.Line, 48.14, 11.58, []),
                new ScreenAsset(PressId, "tplant.line1.press", SiteId, LineId, "Press", AssetType.Machine, 48.14, 11.58, Sensors),
            ]);
    }

    public FakeTimeProvider Clock { get; } = LiveStoreFactory.Clock();

    public LiveStore Store { get; }

    public ScreenSite Site { get; }

    public ScreenWorld World { get; }

    public List<ScreenSensor> Sensors { get; } = [];

    public ScreenSensor Temperature => Sensors[0];

    public IReadOnlyCollection<SensorInfo> All => _sensors.Values;

    public bool TryGet(int id, out SensorInfo info) => _sensors.TryGetValue(id, out info!);

    /// <summary>One reading per sensor at the clock's time, then the clock moves on a second.</summary>
    public void Feed(double temperature, double vibration = 2.5)
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        Store.OnCommitted([new(TempId, now, temperature), new(VibrationId, now, vibration)]);
        Clock.Advance(TimeSpan.FromSeconds(1));
    }

    private void Add(ScreenSensor s)
    {
        Sensors.Add(s);
        _sensors[s.Id] = new SensorInfo(s.Id, s.Key, SiteId, "tplant", s.AssetId, "tplant.line1.press", s.Metric, s.Unit, s.Min, s.Max, s.IntervalSeconds);
    }
}

public sealed class FakeScreenDirectory(ScreenWorld world) : IScreenDirectory
{
    public Task<ScreenWorld> LoadAsync(int? siteId = null, CancellationToken cancellationToken = default) => Task.FromResult(world);
}
