using CityOps.Simulator.Physics;

namespace CityOps.Simulator;

public sealed partial class Twin
{
    private const long MotorStep = 30 * TimeSpan.TicksPerSecond;
    private const long QueueStep = 10 * TimeSpan.TicksPerSecond;
    private const long PartsStep = 10 * TimeSpan.TicksPerSecond;
    private const long EnergyStep = 60 * TimeSpan.TicksPerSecond;

    private LocalTime Local(int site, long ticks) => _w.Sites[site].Clock.ToLocal(ticks);

    private double Actuator(int index, double fallback) => index >= 0 ? _actuators[index] : fallback;

    private double TrueValue(SensorModel sensor, long t)
    {
        var u = sensor.Unit;
        switch (sensor.Channel)
        {
            case Channel.TrafficSpeed:
                AdvanceQueue(u, t);
                return TrafficSpeed(u, t);
            case Channel.TrafficOccupancy:
                AdvanceQueue(u, t);
                return Occupancy(u, t);
            case Channel.TrafficFlow:
                AdvanceQueue(u, t);
                return Served(u, t);
            case Channel.AirPm25:
            case Channel.AirPm10:
            case Channel.AirNo2:
            case Channel.AirO3:
            case Channel.AirTemperature:
                return AirQuality(sensor.Channel, u, t);
            case Channel.WaterPressure:
                return WaterPressure(u, t, sensor.Parameter);
            case Channel.WaterFlow:
                return WaterInflow(u, t);
            case Channel.LightPower:
                return LightingPower(u, t);
            case Channel.LightLevel:
                return LightingLevel(u, t) * 100;
            case Channel.LightVoltage:
            {
                var m = _w.Lighting[u];
                return 230.5 - 3.5 * LightingPower(u, t) / m.RatedKw + 1.2 * Noise.Smooth(m.Stream, Seconds(t), 1200);
            }
            case Channel.MeterPower:
                return MeterPower(u, t);
            case Channel.MeterEnergy:
            case Channel.WaterBilled:
            {
                Accumulate(sensor, t);
                var energy = _acc[sensor.Index];
                _acc[sensor.Index] = 0;
                return energy;
            }
            case Channel.GoodParts:
            case Channel.ScrapParts:
            {
                Accumulate(sensor, t);
                var whole = Math.Floor(_acc[sensor.Index]);
                _acc[sensor.Index] -= whole;
                return whole;
            }
            case Channel.MotorTemperature:
                AdvanceMotor(u, t);
                return _motorTemp[u];
            case Channel.MachineState:
                return MachineStateAt(u, t);
            case Channel.Vibration:
                return Vibration(u, t);
            case Channel.MotorCurrent:
                return MotorCurrent(u, t);
            case Channel.HydraulicPressure:
            {
                var state = MachineStateAt(u, t);
                var nominal = _w.Machines[u].NominalPressure;
                return state switch { 2 => nominal * (0.92 + 0.08 * LineSpeed(u)), 1 => nominal * 0.45, _ => 0 };
            }
            case Channel.CoolantFlow:
            {
                var state = MachineStateAt(u, t);
                var nominal = _w.Machines[u].NominalCoolant;
                return state switch { 2 => nominal * (0.75 + 0.25 * Load(u, state, t)), 1 => nominal * 0.4, _ => 0 };
            }
            default:
            {
                var d = sensor.Definition;
                var local = Local(sensor.Site, t);
                var span = d.Max - d.Min;
                return d.Min + span * (0.5 + 0.08 * Math.Sin(2 * Math.PI * (local.Hour - 9) / 24)
                    + 0.05 * Noise.Smooth(sensor.Stream, Seconds(t), 1800));
            }
        }
    }

    /// <summary>Adds what a counter or energy meter gathered in (last integration, t] to its accumulator.</summary>
    private void Accumulate(SensorModel sensor, long t)
    {
        var s = sensor.Index;
        var from = _accAt[s];
        if (t <= from)
        {
            return;
        }
        var step = sensor.Channel is Channel.MeterEnergy or Channel.WaterBilled ? EnergyStep : PartsStep;
        var total = 0.0;
        while (from < t)
        {
            var next = Math.Min(t, from + step);
            var mid = from + (next - from) / 2;
            var hours = (next - from) / (double)TimeSpan.TicksPerHour;
            total += sensor.Channel switch
            {
                Channel.MeterEnergy => MeterPower(sensor.Unit, mid) * hours,
                Channel.WaterBilled => WaterBilled(sensor.Unit, mid) * hours,
                Channel.GoodParts => PartsPerHour(sensor.Unit, mid, out var scrap) * (1 - scrap) * hours,
                _ => PartsPerHour(sensor.Unit, mid, out var scrap) * scrap * hours,
            };
            from = next;
        }
        _acc[s] += total;
        _accAt[s] = t;
    }

    // ---- Plant -------------------------------------------------------------------------------------------

    /// <summary>Line speed as a fraction of nominal (the line's speed actuator, in %).</summary>
    private double LineSpeed(int machine)
    {
        var line = _w.Machines[machine].Line;
        return line >= 0 ? Actuator(_w.Lines[line].SpeedActuator, CompiledWorld.DefaultLineSpeed) / 100 : 1;
    }

    /// <summary>0 = down (line stopped), 1 = idle (planned stop, off shift or a short micro-stop), 2 = running.</summary>
    private int MachineStateAt(int m, long t)
    {
        var machine = _w.Machines[m];
        if (machine.Line >= 0 && _lineFaults[machine.Line] > 0 && LineStopped(machine.Line, t))
        {
            return 0;
        }
        if (!ShiftCalendar.Producing(Local(machine.Site, t)))
        {
            return 1;
        }
        // Micro-stops (a jam, a starved infeed): in about one 20-minute slot in eight, 1–5 minutes idle.
        const double slot = 1200;
        var seconds = Seconds(t);
        var k = (long)Math.Floor(seconds / slot);
        if (Noise.Uniform(machine.Stream ^ 0xA1, k) < 0.12)
        {
            var start = k * slot + Noise.Uniform(machine.Stream ^ 0xA2, k) * 900;
            var length = 60 + 240 * Noise.Uniform(machine.Stream ^ 0xA3, k);
            if (seconds >= start && seconds < start + length)
            {
                return 1;
            }
        }
        return 2;
    }

    /// <summary>Mechanical load on the motor, 0–1.</summary>
    private double Load(int m, int state, long t) => state switch
    {
        2 => LineSpeed(m) * _w.Machines[m].LoadFactor + 0.15 * Wear(m, t),
        1 => 0.05,
        _ => 0,
    };

    private double MotorCurrent(int m, long t)
    {
        var state = MachineStateAt(m, t);
        return state == 0 ? 0 : _w.Machines[m].RatedCurrent * (0.18 + 0.82 * Load(m, state, t));
    }

    private double Vibration(int m, long t)
    {
        var machine = _w.Machines[m];
        var state = MachineStateAt(m, t);
        // A damaged bearing rattles as soon as it turns: vibration tracks wear directly.
        var wear = Wear(m, t);
        return state switch
        {
            2 => machine.VibrationBase * (0.6 + 0.4 * LineSpeed(m)) + 7 * wear,
            1 => 0.25 + 0.3 * wear,
            _ => 0.03,
        };
    }

    /// <summary>The temperature the motor settles at under present conditions; τ is its thermal time constant.</summary>
    private double MotorTarget(int m, long t, out double tau)
    {
        var machine = _w.Machines[m];
        var state = MachineStateAt(m, t);
        var load = Load(m, state, t);
        var coolant = machine.Line >= 0 ? Actuator(_w.Lines[machine.Line].CoolantActuator, CompiledWorld.DefaultCoolantSetpoint) : CompiledWorld.DefaultCoolantSetpoint;
        // Friction heat from a worn bearing grows with the cube of wear, so it shows well after the vibration.
        var wear = Wear(m, t);
        tau = state == 2 ? 900 : 1500;
        return coolant + 3 + machine.RatedTemperatureRise * load * load + 45 * wear * wear * wear;
    }

    private void AdvanceMotor(int m, long t)
    {
        var at = _motorAt[m];
        if (t <= at)
        {
            return;
        }
        var temperature = _motorTemp[m];
        while (at < t)
        {
            var next = Math.Min(t, at + MotorStep);
            var target = MotorTarget(m, next, out var tau);
            var dt = (next - at) / (double)TimeSpan.TicksPerSecond;
            temperature += (target - temperature) * (1 - Math.Exp(-dt / tau));
            at = next;
        }
        _motorTemp[m] = temperature;
        _motorAt[m] = at;
    }

    /// <summary>Parts per hour the machine completes, and the fraction of them scrapped.</summary>
    private double PartsPerHour(int m, long t, out double scrapFraction)
    {
        var machine = _w.Machines[m];
        var state = MachineStateAt(m, t);
        var speed = LineSpeed(m);
        var wear = Wear(m, t);
        // Running faster than nominal and a worn bearing both spoil parts.
        scrapFraction = Math.Clamp(machine.ScrapBase * (1 + 0.3 * Noise.Smooth(machine.Stream ^ 0x5C, Seconds(t), 3600))
            + 0.8 * Math.Max(0, speed - 1) + 0.12 * wear * wear, 0, 1);
        if (state != 2)
        {
            return 0;
        }
        var partsPerMinute = machine.Line >= 0 ? _w.Lines[machine.Line].PartsPerMinute : 10;
        return partsPerMinute * 60 * speed;
    }

    // ---- Traffic -----------------------------------------------------------------------------------------

    private double Demand(int i, long t)
    {
        var x = _w.Intersections[i];
        var seconds = Seconds(t);
        var profile = Profiles.Traffic(Local(x.Site, t));
        return Math.Max(0, x.PeakDemand * profile * (1 + 0.08 * Noise.Smooth(x.Stream, seconds, 900) + 0.04 * Noise.Smooth(x.Stream ^ 1, seconds, 120)));
    }

    /// <summary>Vehicles per hour the main approach can discharge: saturation flow times the green share of the 90 s cycle.</summary>
    private double Capacity(int i, long t)
    {
        var x = _w.Intersections[i];
        var green = Actuator(x.GreenActuator, IntersectionModel.DefaultGreen);
        return x.SaturationFlow * green / IntersectionModel.CycleSeconds * (1 - CongestionAt(i, t));
    }

    private void AdvanceQueue(int i, long t)
    {
        var at = _queueAt[i];
        if (t <= at)
        {
            return;
        }
        var queue = _queue[i];
        while (at < t)
        {
            var next = Math.Min(t, at + QueueStep);
            var mid = at + (next - at) / 2;
            var hours = (next - at) / (double)TimeSpan.TicksPerHour;
            queue = Math.Clamp(queue + (Demand(i, mid) - Capacity(i, mid)) * hours, 0, IntersectionModel.QueueLimit);
            at = next;
        }
        _queue[i] = queue;
        _queueAt[i] = at;
    }

    private double Served(int i, long t)
    {
        var capacity = Capacity(i, t);
        return _queue[i] > 0.5 ? capacity : Math.Min(Demand(i, t), capacity);
    }

    /// <summary>Detector occupancy in %: rises with flow, and steeply once a queue stands over the loop.</summary>
    private double Occupancy(int i, long t)
    {
        var ratio = Served(i, t) / _w.Intersections[i].NominalCapacity;
        return Math.Min(98, 3 + 40 * Math.Pow(ratio, 1.4) + 52 * (1 - Math.Exp(-_queue[i] / 30)));
    }

    private double TrafficSpeed(int i, long t)
    {
        var occupancy = Occupancy(i, t) / 100;
        return Math.Max(2, _w.Intersections[i].FreeSpeed * (1 - 0.88 * Math.Pow(occupancy, 1.3)) * (1 - 0.45 * CongestionAt(i, t)));
    }

    /// <summary>Traffic emissions near a station: moving traffic relative to capacity, plus the engines idling in standing queues.</summary>
    private double TrafficIndex(int station, long t)
    {
        var s = _w.AirStations[station];
        if (s.District < 0 || _w.Districts[s.District].Intersections.Count == 0)
        {
            return 0.8 * Profiles.Traffic(Local(s.Site, t));
        }
        var sum = 0.0;
        var intersections = _w.Districts[s.District].Intersections;
        foreach (var i in intersections)
        {
            AdvanceQueue(i, t);
            sum += Served(i, t) / _w.Intersections[i].NominalCapacity + 0.9 * (1 - Math.Exp(-_queue[i] / 80));
        }
        return sum / intersections.Count;
    }

    // ---- Air ---------------------------------------------------------------------------------------------

    private double AirQuality(Channel channel, int station, long t)
    {
        var s = _w.AirStations[station];
        var site = _w.Sites[s.Site];
        var seconds = Seconds(t);
        var local = Local(s.Site, t);
        var air = Weather.AirTemperature(site.Stream, seconds, local);
        if (channel == Channel.AirTemperature)
        {
            return air + 0.4 * Noise.Smooth(s.Stream, seconds, 1800);
        }
        var elevation = Weather.SunElevation(site.Latitude, site.Longitude, t);
        var wind = Weather.Wind(site.Stream, seconds);
        // Pollutants pile up under the shallow night-time boundary layer and in calm air.
        var mixing = 0.6 + 0.8 * Math.Clamp(elevation / 40, 0, 1);
        var dispersion = 2.2 / (mixing * (0.6 + wind / 3));
        var traffic = TrafficIndex(station, t) * s.Exposure;
        var no2 = 10 + 3 * Noise.Smooth(s.Stream ^ 0x02, seconds, 3 * 3600) + 38 * traffic * dispersion;
        switch (channel)
        {
            case Channel.AirNo2:
                return Math.Max(1, no2);
            case Channel.AirO3:
            {
                // Sunlight and warmth make ozone; fresh NO from traffic destroys it (titration).
                var sun = Math.Pow(Math.Max(0, Math.Sin(elevation * Math.PI / 180)), 1.2);
                var o3 = 22 + 70 * sun * Math.Clamp(0.5 + air / 30, 0.3, 1.6) - 0.45 * no2 + 5 * Noise.Smooth(s.Stream ^ 0x03, seconds, 7200);
                return Math.Max(2, o3);
            }
        }
        // Evening wood stoves in the cold season add fine dust.
        var heating = 5 * Math.Max(0, 12 - air) / 12 * Profiles.Peak(local.Hour, 20, 2.5) * dispersion;
        var pm25 = Weather.RegionalPm25(site.Stream, seconds) + 7 * traffic * dispersion + heating
            + 0.8 * Noise.Smooth(s.Stream ^ 0x25, seconds, 1800);
        pm25 = Math.Max(1, pm25);
        return channel == Channel.AirPm25
            ? pm25
            : Math.Max(2, 1.35 * pm25 + 4 + 6 * traffic * wind / 5 + 1.5 * Noise.Smooth(s.Stream ^ 0x10, seconds, 1800));
    }

    // ---- Water -------------------------------------------------------------------------------------------

    private double WaterDemand(int z, long t)
    {
        var zone = _w.WaterZones[z];
        return zone.MeanDemand * Profiles.WaterDemand(Local(zone.Site, t)) * (1 + 0.05 * Noise.Smooth(zone.Stream, Seconds(t), 1800));
    }

    /// <summary>Inflow into the zone in m³/h: consumers' demand plus whatever leaks.</summary>
    private double WaterInflow(int z, long t) => WaterDemand(z, t) + LeakAt(z, t);

    /// <summary>
    /// What the zone's customer meters register, m³/h: the demand less the background losses (always running, so
    /// they dominate the night flow) and the unbilled authorised use. A burst adds to the inflow only.
    /// </summary>
    private double WaterBilled(int z, long t)
    {
        var zone = _w.WaterZones[z];
        var demand = WaterDemand(z, t);
        return Math.Max(0, demand * (1 - zone.UnbilledShare) - zone.BackgroundLoss);
    }

    /// <summary>
    /// Pressure in bar at <paramref name="position"/> (0 = inlet, 1 = critical point): supply head minus friction losses
    /// (∝ flow²) and the local drawdown of a leak. The bypass valve feeds the zone from a second main, which both
    /// adds head and shortens the path, so opening it restores pressure.
    /// </summary>
    private double WaterPressure(int z, long t, double position)
    {
        var zone = _w.WaterZones[z];
        var valve = Actuator(zone.ValveActuator, 0) / 100;
        var pump = Actuator(zone.PumpActuator, 80) / 80;
        var supply = zone.SupplyPressure * (0.55 + 0.45 * pump * pump) + 0.4 * valve;
        var leak = LeakAt(z, t);
        var flow = WaterDemand(z, t) + leak;
        var relief = (1 + 2.5 * valve) * (1 + 2.5 * valve);
        var friction = zone.Resistance / relief * flow * flow;
        var drawdown = leak / zone.MeanDemand / Math.Sqrt(relief);
        return Math.Max(0, supply + zone.Elevation * position - position * (friction + drawdown));
    }

    // ---- Lighting and energy -----------------------------------------------------------------------------

    /// <summary>Whether the circuit's photocell sees darkness (each cell switches at a slightly different sun elevation).</summary>
    private bool IsDark(int c, long t)
    {
        var circuit = _w.Lighting[c];
        var site = _w.Sites[circuit.Site];
        var threshold = -0.5 + 1.5 * (Noise.Uniform(circuit.Stream, 7) - 0.5);
        return Weather.SunElevation(site.Latitude, site.Longitude, t) < threshold;
    }

    /// <summary>Effective light output 0–1: the commanded level while dark, else off.</summary>
    private double LightingLevel(int c, long t) =>
        IsDark(c, t) ? Actuator(_w.Lighting[c].LevelActuator, 100) / 100 : 0;

    /// <summary>kW drawn: LED drivers take a little even when dimmed to zero, and a trickle by day.</summary>
    private double LightingPower(int c, long t)
    {
        var rated = _w.Lighting[c].RatedKw;
        return IsDark(c, t) ? rated * (0.04 + 0.96 * LightingLevel(c, t)) : 0.01 * rated;
    }

    /// <summary>kW of a motor on 400 V three-phase at cos φ 0.85.</summary>
    private double MotorPower(int m, long t) => Math.Sqrt(3) * 0.4 * 0.85 * MotorCurrent(m, t);

    /// <summary>
    /// kW on a line's feeder: its motors, plus conveyors and controls whose draw follows the share of machines running
    /// and the line speed (a stopped line keeps only its controls and extraction, 30 % of the auxiliaries).
    /// </summary>
    private double LinePower(int l, long t)
    {
        var line = _w.Lines[l];
        var power = 0.0;
        var running = 0;
        foreach (var m in line.Machines)
        {
            power += MotorPower(m, t);
            if (MachineStateAt(m, t) == 2)
            {
                running++;
            }
        }
        var share = line.Machines.Count == 0 ? 0 : running / (double)line.Machines.Count;
        var speed = Actuator(line.SpeedActuator, CompiledWorld.DefaultLineSpeed) / 100;
        return power + line.AuxiliaryKw * (0.3 + 0.7 * share * speed);
    }

    private double MeterPower(int e, long t)
    {
        var meter = _w.Meters[e];
        var seconds = Seconds(t);
        var local = Local(meter.Site, t);
        if (meter.Line >= 0)
        {
            return LinePower(meter.Line, t) * (1 + 0.01 * Noise.Smooth(meter.Stream, seconds, 600));
        }
        if (meter.IsPlant)
        {
            // Hall lighting and ventilation by day, plus every line and every motor outside a line.
            var power = meter.BaseKw * (1 + 0.15 * Profiles.Bump(local.Hour, 7, 19, 0.5));
            for (var l = 0; l < _w.Lines.Length; l++)
            {
                if (_w.Lines[l].Site == meter.Site)
                {
                    power += LinePower(l, t);
                }
            }
            for (var m = 0; m < _w.Machines.Length; m++)
            {
                if (_w.Machines[m].Site == meter.Site && _w.Machines[m].Line < 0)
                {
                    power += MotorPower(m, t);
                }
            }
            return power * (1 + 0.01 * Noise.Smooth(meter.Stream, seconds, 600));
        }
        var site = _w.Sites[meter.Site];
        var commercial = meter.District >= 0 ? _w.Districts[meter.District].CommercialShare : 0.4;
        var mix = (1 - commercial) * Profiles.Residential(local) + commercial * Profiles.Commercial(local);
        var air = Weather.AirTemperature(site.Stream, seconds, local);
        var climate = 1 + 0.02 * Math.Max(0, 14 - air) + 0.03 * Math.Max(0, air - 22);
        var lighting = 0.0;
        if (meter.District >= 0)
        {
            foreach (var c in _w.Districts[meter.District].Lighting)
            {
                lighting += LightingPower(c, t);
            }
        }
        return meter.BaseKw * mix * climate * (1 + 0.02 * Noise.Smooth(meter.Stream, seconds, 1200)) + lighting;
    }
}
