using CityOps.Analytics;
using CityOps.Simulator.Physics;

namespace CityOps.Simulator;

public sealed partial class Twin
{
    /// <summary>A fault as the physics sees it; one record may expand to several (a district's intersections).</summary>
    private struct ActiveFault
    {
        public FaultKind Kind;
        public int Target;
        public long Start;
        public long End;
        public double Magnitude;
        public double StuckValue;
        public int Record;
    }

    private readonly List<ActiveFault> _faults;
    private readonly List<FaultRecord> _records;
    private readonly int[] _sensorFaults;
    private readonly int[] _machineFaults;
    private readonly int[] _lineFaults;
    private readonly int[] _zoneFaults;
    private readonly int[] _intersectionFaults;

    /// <summary>Every fault injected or scheduled, in the order it was, with its window and the sensors that should show it.</summary>
    public IReadOnlyList<FaultRecord> Faults => _records;

    /// <summary>Injects a fault, starting at <see cref="FaultSpec.Start"/> or, if that is null, now.</summary>
    /// <exception cref="ArgumentException">The target does not exist or does not suit the kind of fault.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The start is in the past, the duration not positive or the magnitude out of range.</exception>
    public FaultRecord InjectFault(FaultSpec spec)
    {
        var (record, faults, siteKey) = Resolve(spec, _records.Count + 1);
        if (record.Start.UtcTicks == _now)
        {
            SyncSite(siteKey, _now);
        }
        Add(record, faults);
        return record;
    }

    /// <summary>Schedules faults; all are validated before any is added.</summary>
    public IReadOnlyList<FaultRecord> Schedule(IEnumerable<FaultSpec> faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var resolved = new List<(FaultRecord Record, List<ActiveFault> Faults, string Site)>();
        foreach (var spec in faults)
        {
            resolved.Add(Resolve(spec, _records.Count + resolved.Count + 1));
        }
        var records = new FaultRecord[resolved.Count];
        for (var i = 0; i < resolved.Count; i++)
        {
            if (resolved[i].Record.Start.UtcTicks == _now)
            {
                SyncSite(resolved[i].Site, _now);
            }
            Add(resolved[i].Record, resolved[i].Faults);
            records[i] = resolved[i].Record;
        }
        return records;
    }

    /// <summary>Ends a fault now (or cancels it if it has not started). Returns its updated record.</summary>
    public FaultRecord EndFault(int id)
    {
        if (id < 1 || id > _records.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "No fault has this id.");
        }
        var record = _records[id - 1];
        if (record.End.UtcTicks <= _now)
        {
            return record;
        }
        var end = Math.Max(record.Start.UtcTicks, _now);
        if (_w.Assets.TryGetValue(record.Target, out var asset))
        {
            SyncSite(asset.SiteKey, _now);
        }
        else if (_w.SensorIndex.TryGetValue(record.Target, out var s))
        {
            SyncSite(_w.Sites[_w.Sensors[s].Site].Key, _now);
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_faults);
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i].Record == id - 1)
            {
                span[i].End = end;
            }
        }
        record = record with { End = new DateTimeOffset(end, TimeSpan.Zero) };
        _records[id - 1] = record;
        return record;
    }

    private void Add(FaultRecord record, List<ActiveFault> faults)
    {
        _records.Add(record);
        foreach (var f in faults)
        {
            _faults.Add(f);
            var counts = f.Kind switch
            {
                FaultKind.BearingWear => _machineFaults,
                FaultKind.Leak => _zoneFaults,
                FaultKind.Congestion => _intersectionFaults,
                FaultKind.LineStoppage => _lineFaults,
                _ => _sensorFaults,
            };
            counts[f.Target]++;
        }
    }

    private (FaultRecord Record, List<ActiveFault> Faults, string SiteKey) Resolve(FaultSpec spec, int id)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spec.Target);
        if (spec.Duration <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Duration, "A fault needs a positive duration.");
        }
        var start = spec.Start?.UtcTicks ?? _now;
        if (start < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Start, $"A fault cannot start before the twin's present ({Now:O}).");
        }
        if (spec.Magnitude is { } given && !double.IsFinite(given))
        {
            throw new ArgumentOutOfRangeException(nameof(spec), given, "The magnitude must be a finite number.");
        }
        var end = start + spec.Duration.Ticks;
        var targets = new List<int>();
        var sensorKeys = new List<string>();
        double magnitude;
        string siteKey;

        if (spec.IsSensorFault)
        {
            if (!_w.SensorIndex.TryGetValue(spec.Target, out var s))
            {
                throw new ArgumentException($"A {spec.Kind} fault targets a sensor, and no sensor has the key '{spec.Target}'.", nameof(spec));
            }
            var d = _w.Sensors[s].Definition;
            var span = d.Max - d.Min;
            magnitude = spec.Magnitude ?? spec.Kind switch
            {
                FaultKind.Drift => 0.1 * span,
                FaultKind.Spike => 0.3 * span,
                FaultKind.NoiseBurst => 0.03 * span,
                _ => 0,
            };
            if (spec.Kind == FaultKind.NoiseBurst && magnitude <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(spec), magnitude, "A noise burst needs a positive standard deviation.");
            }
            targets.Add(s);
            sensorKeys.Add(d.Key);
            siteKey = _w.Sites[_w.Sensors[s].Site].Key;
        }
        else
        {
            if (!_w.Assets.TryGetValue(spec.Target, out var asset))
            {
                throw new ArgumentException($"A {spec.Kind} fault targets an asset, and no asset has the key '{spec.Target}'.", nameof(spec));
            }
            siteKey = asset.SiteKey;
            switch (spec.Kind)
            {
                case FaultKind.BearingWear:
                    targets.Add(Require(_w.MachineByAsset, asset.Key, "a machine"));
                    magnitude = InUnitRange(spec.Magnitude ?? 1);
                    AddSensors(asset.Key, MetricKind.VibrationRms, MetricKind.Temperature, MetricKind.Current, MetricKind.ScrapParts);
                    break;
                case FaultKind.Leak:
                {
                    var z = Require(_w.ZoneByAsset, asset.Key, "a water zone");
                    targets.Add(z);
                    magnitude = spec.Magnitude ?? Math.Round(0.5 * _w.WaterZones[z].MeanDemand);
                    if (magnitude <= 0)
                    {
                        throw new ArgumentOutOfRangeException(nameof(spec), magnitude, "A leak needs a positive flow (m³/h).");
                    }
                    AddSensors(asset.Key, MetricKind.Pressure, MetricKind.Flow);
                    break;
                }
                case FaultKind.Congestion:
                    magnitude = InUnitRange(spec.Magnitude ?? 0.6);
                    if (_w.IntersectionByAsset.TryGetValue(asset.Key, out var x))
                    {
                        targets.Add(x);
                        AddSensors(asset.Key, MetricKind.Occupancy, MetricKind.TrafficSpeed, MetricKind.Flow);
                    }
                    else if (_w.DistrictByAsset.TryGetValue(asset.Key, out var district) && _w.Districts[district].Intersections.Count > 0)
                    {
                        foreach (var i in _w.Districts[district].Intersections)
                        {
                            targets.Add(i);
                        }
                        foreach (var a in _w.World.Assets)
                        {
                            if (a.Type == AssetType.Intersection && _w.IntersectionByAsset.TryGetValue(a.Key, out var i) && targets.Contains(i))
                            {
                                AddSensors(a.Key, MetricKind.Occupancy, MetricKind.TrafficSpeed, MetricKind.Flow);
                            }
                        }
                    }
                    else
                    {
                        throw new ArgumentException($"A Congestion fault targets an intersection or a district with intersections; '{asset.Key}' is neither.", nameof(spec));
                    }
                    break;
                case FaultKind.LineStoppage:
                {
                    var line = Require(_w.LineByAsset, asset.Key, "a production line");
                    targets.Add(line);
                    magnitude = 1;
                    foreach (var m in _w.Lines[line].Machines)
                    {
                        foreach (var a in _w.MachineByAsset)
                        {
                            if (a.Value == m && _w.SensorsByAsset.TryGetValue(a.Key, out var onMachine))
                            {
                                foreach (var s in onMachine)
                                {
                                    sensorKeys.Add(_w.Sensors[s].Definition.Key);
                                }
                            }
                        }
                    }
                    // The line's feeder meter drops to the controls' standby load.
                    foreach (var a in _w.World.Assets)
                    {
                        if (a.ParentKey == asset.Key && a.Type == AssetType.EnergyMeter)
                        {
                            AddSensors(a.Key, MetricKind.Power, MetricKind.Energy);
                        }
                    }
                    break;
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown fault kind.");
            }
        }

        var faults = new List<ActiveFault>(targets.Count);
        foreach (var target in targets)
        {
            faults.Add(new ActiveFault
            {
                Kind = spec.Kind, Target = target, Start = start, End = end, Magnitude = magnitude, StuckValue = double.NaN, Record = id - 1,
            });
        }
        var record = new FaultRecord(id, spec.Kind, spec.Target, new DateTimeOffset(start, TimeSpan.Zero), new DateTimeOffset(end, TimeSpan.Zero),
            magnitude, sensorKeys.ToArray());
        return (record, faults, siteKey);

        int Require(IReadOnlyDictionary<string, int> map, string key, string what) => map.TryGetValue(key, out var index)
            ? index
            : throw new ArgumentException($"A {spec.Kind} fault targets {what}; '{key}' is not one.", nameof(spec));

        double InUnitRange(double value) => value is > 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(spec), value, $"The magnitude of a {spec.Kind} fault is a fraction in (0, 1].");

        void AddSensors(string assetKey, params ReadOnlySpan<MetricKind> metrics)
        {
            if (!_w.SensorsByAsset.TryGetValue(assetKey, out var onAsset))
            {
                return;
            }
            foreach (var s in onAsset)
            {
                if (metrics.Contains(_w.Sensors[s].Definition.Metric))
                {
                    sensorKeys.Add(_w.Sensors[s].Definition.Key);
                }
            }
        }
    }

    /// <summary>Applies the sensor's active faults to a reading; false means the reading is lost.</summary>
    private bool ApplySensorFaults(int s, long t, ref double value)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_faults);
        var emit = true;
        for (var i = 0; i < span.Length; i++)
        {
            ref var f = ref span[i];
            if (f.Target != s || t < f.Start || t >= f.End || f.Kind is not (FaultKind.Drift or FaultKind.Spike or FaultKind.Stuck or FaultKind.Dropout or FaultKind.NoiseBurst))
            {
                continue;
            }
            switch (f.Kind)
            {
                case FaultKind.Drift:
                    value += f.Magnitude * (t - f.Start) / (f.End - f.Start);
                    break;
                case FaultKind.Spike:
                    value += f.Magnitude;
                    break;
                case FaultKind.NoiseBurst:
                    value += f.Magnitude * Noise.Gaussian(_w.Sensors[s].Stream ^ 0xB0, t);
                    break;
                case FaultKind.Stuck:
                    if (double.IsNaN(f.StuckValue))
                    {
                        f.StuckValue = double.IsNaN(_lastValue[s]) ? value : _lastValue[s];
                    }
                    value = f.StuckValue;
                    break;
                case FaultKind.Dropout:
                    emit = false;
                    break;
            }
        }
        return emit;
    }

    /// <summary>Bearing wear 0–1: rises linearly through the fault window, back to 0 once the bearing is replaced.</summary>
    private double Wear(int m, long t)
    {
        if (_machineFaults[m] == 0)
        {
            return 0;
        }
        var wear = 0.0;
        foreach (var f in _faults)
        {
            if (f.Kind == FaultKind.BearingWear && f.Target == m && t >= f.Start && t < f.End)
            {
                wear += f.Magnitude * (t - f.Start) / (f.End - f.Start);
            }
        }
        return Math.Min(1, wear);
    }

    /// <summary>Leak flow in m³/h; a burst opens up over two minutes.</summary>
    private double LeakAt(int z, long t)
    {
        if (_zoneFaults[z] == 0)
        {
            return 0;
        }
        var leak = 0.0;
        foreach (var f in _faults)
        {
            if (f.Kind == FaultKind.Leak && f.Target == z && t >= f.Start && t < f.End)
            {
                leak += f.Magnitude * Math.Min(1, (t - f.Start) / (120.0 * TimeSpan.TicksPerSecond));
            }
        }
        return leak;
    }

    /// <summary>Fraction of the intersection's capacity lost to an incident.</summary>
    private double CongestionAt(int i, long t)
    {
        if (_intersectionFaults[i] == 0)
        {
            return 0;
        }
        var loss = 0.0;
        foreach (var f in _faults)
        {
            if (f.Kind == FaultKind.Congestion && f.Target == i && t >= f.Start && t < f.End)
            {
                loss = Math.Max(loss, f.Magnitude);
            }
        }
        return loss;
    }

    private bool LineStopped(int line, long t)
    {
        foreach (var f in _faults)
        {
            if (f.Kind == FaultKind.LineStoppage && f.Target == line && t >= f.Start && t < f.End)
            {
                return true;
            }
        }
        return false;
    }
}
