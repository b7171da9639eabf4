using CityOps.Analytics;
using CityOps.Analytics.Alerts;

namespace CityOps.Simulator.World;

/// <summary>
/// The seed alert rules for a world like <see cref="DemoWorld"/>: rationalised ISA-18.2 alarms that stay quiet on a
/// normal day (EEMUA 191: at most one alarm per ten minutes per operator area) and catch every fault of
/// <see cref="Faults.FaultSchedules"/>. Most alarms are low priority, fewer medium, few high.
/// </summary>
/// <remarks>
/// Limits come from the demo physics and from the standards the operators know: ISO 10816-3 vibration zones
/// (2.8 mm/s unsatisfactory, 7.1 mm/s damage), the EU one-hour NO₂ limit (200 µg/m³), ±10 % mains voltage
/// (EN 50160), class F motor insulation (hot-spot margin at 100 °C frame temperature). A normal day reaches at most
/// 2.5 mm/s, 60 °C motor temperature, 140 µg/m³ NO₂ and 3.9–5.6 bar in the water zones.
/// </remarks>
public static class DemoRuleSet
{
    /// <summary>Playbook keys the web offers with an alarm (suggested control actions).</summary>
    public static class Playbooks
    {
        public const string ReduceLineSpeed = "line.reduce_speed";
        public const string OpenBypass = "water.open_bypass";
        public const string SwitchPump = "water.switch_pump";
        public const string ExtendGreen = "traffic.extend_green";
        public const string DimLighting = "lighting.dim";
    }

    /// <summary>Metrics whose readings legitimately repeat (counts per interval, states, set levels): no stuck-sensor check.</summary>
    private static readonly HashSet<MetricKind> Discrete = [MetricKind.GoodParts, MetricKind.ScrapParts, MetricKind.MachineState, MetricKind.LightingLevel];

    public static IReadOnlyList<AlertRuleDefinition> Create(WorldDefinition world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var rules = new List<AlertRuleDefinition>();
        var citySites = world.Sites.Where(s => s.Kind == SiteKind.City).Select(s => s.Key).ToList();
        var plantSites = world.Sites.Where(s => s.Kind == SiteKind.Plant).Select(s => s.Key).ToList();

        void Add(string key, string name, RuleScope scope, ModelParameters model, AlarmPriority priority, string message,
            string cause, string consequence, string action, double respondMinutes, params string[] playbooks) =>
            rules.Add(new AlertRuleDefinition(key, name, scope, model, priority, message,
                new Rationalisation(cause, consequence, action, TimeSpan.FromMinutes(respondMinutes)), playbooks));

        // ---- Plant: machines ----
        Add("plant.motor_temp.high", "Motor temperature high",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.Temperature),
            new LimitParameters { High = 85, Deadband = 3, OnDelay = TimeSpan.FromMinutes(1), OffDelay = TimeSpan.FromMinutes(2) },
            AlarmPriority.Medium, "Motor running hot",
            "Bearing wear or friction, blocked cooling, or sustained overload heats the motor well above its normal 45–60 °C.",
            "Insulation ages fast above 85 °C; left alone the motor trips or burns out and the line stops.",
            "Check vibration and coolant flow of the machine; reduce the line speed to cut the load; plan a bearing inspection.",
            15, Playbooks.ReduceLineSpeed);
        Add("plant.motor_temp.high_high", "Motor temperature very high",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.Temperature),
            new LimitParameters { High = 100, Deadband = 3, OnDelay = TimeSpan.FromSeconds(30), OffDelay = TimeSpan.FromMinutes(2) },
            AlarmPriority.High, "Motor temperature at the insulation limit",
            "The motor keeps heating despite the high alarm: advanced bearing damage or loss of cooling.",
            "Winding damage within minutes; a seized bearing can wreck the spindle and stop the line for a shift.",
            "Reduce the line speed now; if the temperature keeps rising, stop the machine and call maintenance.",
            5, Playbooks.ReduceLineSpeed);
        Add("plant.motor_temp.forecast", "Motor temperature heading for the limit",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.Temperature),
            new ForecastParameters { High = 85, Horizon = TimeSpan.FromMinutes(30) },
            AlarmPriority.Low, "Motor temperature forecast to exceed 85 °C",
            "A steady rise in motor temperature (wear, fouled cooler, rising load) that extrapolates past the high limit.",
            "Without action the motor reaches the high alarm and then its trip temperature.",
            "Look at the trend and the vibration of the machine; lower the line speed early or schedule the inspection before the crossing.",
            30, Playbooks.ReduceLineSpeed);
        Add("plant.vibration.high", "Vibration high",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.VibrationRms),
            new LimitParameters { High = 2.8, Deadband = 0.3, OnDelay = TimeSpan.FromMinutes(2), OffDelay = TimeSpan.FromMinutes(5) },
            AlarmPriority.Low, "Vibration above ISO 10816 zone B",
            "Bearing wear, imbalance or looseness: velocity RMS above 2.8 mm/s is unsatisfactory for continuous running.",
            "Wear accelerates; motor temperature follows within hours; scrap rises.",
            "Schedule a bearing inspection; reduce the line speed if it keeps rising.",
            60, Playbooks.ReduceLineSpeed);
        Add("plant.vibration.high_high", "Vibration at damage level",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.VibrationRms),
            new LimitParameters { High = 7.1, Deadband = 0.5, OnDelay = TimeSpan.FromMinutes(1), OffDelay = TimeSpan.FromMinutes(5) },
            AlarmPriority.High, "Vibration in ISO 10816 zone D",
            "Severe bearing damage or mechanical looseness.",
            "Damage to the machine is likely within hours: seizure, broken tooling, unplanned stop.",
            "Reduce the line speed now and stop the machine for repair at the next safe point.",
            10, Playbooks.ReduceLineSpeed);
        Add("plant.machine.down", "Machine down",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.MachineState),
            new LimitParameters { Low = 0.5, OnDelay = TimeSpan.FromMinutes(1), OffDelay = TimeSpan.FromMinutes(1) },
            AlarmPriority.Medium, "Machine down (not idle)",
            "A trip, an emergency stop or a line stoppage: the machine reports down rather than idle.",
            "No output from the line; orders slip and parts in process may be scrapped.",
            "Find the cause on the line's HMI, clear it and restart; call maintenance if it does not restart.",
            10);
        Add("plant.hydraulic.pressure_high", "Hydraulic pressure high",
            new RuleScope(AssetType: AssetType.Machine, Metric: MetricKind.Pressure),
            new LimitParameters { High = 200, Deadband = 5, OnDelay = TimeSpan.FromSeconds(30), OffDelay = TimeSpan.FromMinutes(1) },
            AlarmPriority.Low, "Hydraulic pressure above 200 bar",
            "A sticking relief valve or a blocked return line (normal running is 140–170 bar).",
            "Seals and hoses are stressed; a burst hose is a safety hazard.",
            "Check the relief valve setting and the return filter at the next stop.",
            30);
        foreach (var site in plantSites)
        {
            Add($"{site}.energy.power_high", "Plant power demand high",
                new RuleScope(SiteKey: site, AssetType: AssetType.EnergyMeter, Metric: MetricKind.Power),
                new LimitParameters { High = 600, Deadband = 30, OnDelay = TimeSpan.FromMinutes(5), OffDelay = TimeSpan.FromMinutes(5) },
                AlarmPriority.Low, "Plant power above the contracted peak",
                "Every line running at overspeed, or a motor drawing overload current (normal peak is about 495 kW).",
                "A peak-demand surcharge for the month; overloaded motors heat up.",
                "Check which line draws the extra power; reduce its speed.",
                15, Playbooks.ReduceLineSpeed);
        }

        // ---- City: traffic, air, water, lighting, energy ----
        Add("city.traffic.congestion", "Intersection congested",
            new RuleScope(AssetType: AssetType.Intersection, Metric: MetricKind.Occupancy),
            new LimitParameters { High = 55, Deadband = 10, OnDelay = TimeSpan.FromMinutes(3), OffDelay = TimeSpan.FromMinutes(5) },
            AlarmPriority.Medium, "Queue standing over the detector",
            "An incident, a blocked lane or demand beyond the green time: occupancy above 55 % means a standing queue (rush hour peaks near 45 %).",
            "Queues spill back into neighbouring junctions; buses run late; idling raises NO₂ nearby.",
            "Check the camera; extend the green time of the main approach; dispatch the incident team if a lane is blocked.",
            10, Playbooks.ExtendGreen);
        Add("city.air.no2_high", "NO₂ high",
            new RuleScope(AssetType: AssetType.AirQualityStation, Metric: MetricKind.No2),
            new LimitParameters { High = 200, Deadband = 20, OnDelay = TimeSpan.FromMinutes(10), OffDelay = TimeSpan.FromMinutes(15) },
            AlarmPriority.Medium, "NO₂ above the EU one-hour limit",
            "Standing traffic near the station in still air, or a local combustion source.",
            "Health risk for residents with asthma; an exceedance counts against the city's yearly allowance of 18 hours.",
            "Relieve the congestion nearby (green times, diversion); publish the air-quality notice.",
            30, Playbooks.ExtendGreen);
        Add("city.air.pm25_high", "PM2.5 high",
            new RuleScope(AssetType: AssetType.AirQualityStation, Metric: MetricKind.Pm25),
            new LimitParameters { High = 50, Deadband = 5, OnDelay = TimeSpan.FromMinutes(15), OffDelay = TimeSpan.FromMinutes(15) },
            AlarmPriority.Low, "Fine dust high",
            "Wood stoves in still winter air, regional haze or a construction site (normal is 10–35 µg/m³).",
            "Health advice for sensitive groups is due.",
            "Publish the air-quality notice; check for a local source near the station.",
            60);
        Add("city.water.pressure_low", "Water pressure low",
            new RuleScope(AssetType: AssetType.WaterZone, Metric: MetricKind.Pressure),
            new LimitParameters { Low = 3.0, Deadband = 0.2, OnDelay = TimeSpan.FromMinutes(2), OffDelay = TimeSpan.FromMinutes(2) },
            AlarmPriority.High, "Water pressure below service level",
            "A burst main, a pump failure or extreme demand (normal is 3.9–5.6 bar; 3 bar is 30 m of head, the service level).",
            "Upper floors lose supply; below 1.5 bar contaminated water can enter the network.",
            "Open the bypass from the neighbouring main or switch to the standby pump; send a crew to locate a burst.",
            10, Playbooks.OpenBypass, Playbooks.SwitchPump);
        Add("city.water.pressure_forecast", "Water pressure heading below service level",
            new RuleScope(AssetType: AssetType.WaterZone, Metric: MetricKind.Pressure),
            new ForecastParameters { Low = 3.0, Horizon = TimeSpan.FromMinutes(30) },
            AlarmPriority.Low, "Water pressure forecast to fall below 3 bar",
            "Pressure falling steadily: a growing leak or demand outpacing the supply.",
            "Customers lose pressure when it crosses the service level.",
            "Open the bypass or raise the pump before the crossing; look for a leak.",
            30, Playbooks.OpenBypass, Playbooks.SwitchPump);
        Add("city.water.pressure_high", "Water pressure high",
            new RuleScope(AssetType: AssetType.WaterZone, Metric: MetricKind.Pressure),
            new LimitParameters { High = 7, Deadband = 0.3, OffDelay = TimeSpan.FromMinutes(1) },
            AlarmPriority.Medium, "Water pressure surge",
            "A pressure-reducing valve failing open or a transient (water hammer) from a fast valve or pump change.",
            "Surges burst old mains and damage customer fittings.",
            "Check the pressure-reducing valve and recent pump or valve operations; log the transient.",
            15);
        Add("city.water.pressure_change", "Water pressure changing fast",
            new RuleScope(AssetType: AssetType.WaterZone, Metric: MetricKind.Pressure),
            new LimitParameters { RateLimit = 0.1, RateWindow = TimeSpan.FromMinutes(3), OffDelay = TimeSpan.FromMinutes(10) },
            AlarmPriority.Medium, "Sudden pressure change in a water zone",
            "A burst main (pressure drops within minutes) or a transient; normal changes are below 0.05 bar per minute.",
            "A burst main loses water and can undermine the road; a transient can burst further mains.",
            "Compare inlet flow with the usual night flow; switch the pump or open the bypass to hold pressure; send a crew.",
            10, Playbooks.SwitchPump, Playbooks.OpenBypass);
        Add("city.water.flow_erratic", "Water flow erratic",
            new RuleScope(AssetType: AssetType.WaterZone, Metric: MetricKind.Flow),
            new LimitParameters { RateLimit = 40, RateWindow = TimeSpan.FromMinutes(1), OffDelay = TimeSpan.FromMinutes(10) },
            AlarmPriority.Low, "Zone inflow jumping",
            "A failing flow meter (electrical noise, air in the pipe) or a burst; real demand changes by less than 10 m³/h per minute.",
            "Leak detection and billing balance rely on this meter.",
            "Check the meter's diagnostics and compare with the pressures; send a technician if the meter is faulty.",
            60);
        Add("city.lighting.power_high", "Lighting circuit power high",
            new RuleScope(AssetType: AssetType.LightingCircuit, Metric: MetricKind.Power),
            new LimitParameters { High = 28, Deadband = 1, OnDelay = TimeSpan.FromMinutes(5), OffDelay = TimeSpan.FromMinutes(5) },
            AlarmPriority.Low, "Street lighting drawing more than rated",
            "Failed drivers running at full power, an added load or an earth fault (the largest circuits are rated 25 kW).",
            "Wasted energy and a risk of the circuit tripping.",
            "Dim the circuit and send a technician to check drivers and insulation.",
            60, Playbooks.DimLighting);
        Add("city.lighting.voltage", "Lighting supply voltage out of band",
            new RuleScope(AssetType: AssetType.LightingCircuit, Metric: MetricKind.Voltage),
            new LimitParameters { High = 253, Low = 207, Deadband = 2, OnDelay = TimeSpan.FromMinutes(2), OffDelay = TimeSpan.FromMinutes(2) },
            AlarmPriority.Low, "Supply voltage outside 230 V ±10 %",
            "A tap-changer fault at the substation or a broken neutral.",
            "LED drivers fail early or switch off.",
            "Report to the distribution operator; dim the circuit to reduce the load.",
            60, Playbooks.DimLighting);
        foreach (var site in citySites)
        {
            Add($"{site}.energy.district_power_high", "District power demand high",
                new RuleScope(SiteKey: site, AssetType: AssetType.EnergyMeter, Metric: MetricKind.Power),
                new LimitParameters { High = 3500, Deadband = 100, OnDelay = TimeSpan.FromMinutes(10), OffDelay = TimeSpan.FromMinutes(10) },
                AlarmPriority.Low, "District demand above the substation rating",
                "A cold snap or an event load pushes demand past the transformer's continuous rating (normal peak about 2.9 MW).",
                "The transformer overheats; protection may disconnect the district.",
                "Dim the street lighting of the district and ask the distribution operator to shift load.",
                30, Playbooks.DimLighting);
        }

        // ---- Data quality: every sensor ----
        Add("sensor.stale", "Sensor not reporting",
            new RuleScope(),
            new DataQualityParameters { StaleIntervals = 5, StaleMinimum = TimeSpan.FromMinutes(2), FlatlineDuration = null },
            AlarmPriority.Low, "No data from the sensor (or values outside its physical range)",
            "A failed transmitter, a flat battery, a network or gateway outage; or a broken sensor reporting impossible values.",
            "Every other alarm on this sensor is blind until it reports again.",
            "Check the gateway and the sensor's power; send a technician if it does not recover.",
            120);
        foreach (var metric in world.Sensors.Select(s => s.Metric).Distinct().Where(m => !Discrete.Contains(m)).Order())
        {
            Add($"sensor.stuck.{metric.ToString().ToLowerInvariant()}", $"{metric} sensor stuck",
                new RuleScope(Metric: metric),
                new DataQualityParameters { StaleIntervals = null, CheckRange = false, FlatlineDuration = TimeSpan.FromMinutes(10), FlatlineReadings = 20 },
                AlarmPriority.Low, "Sensor repeats one value",
                "A frozen transmitter or gateway repeating its last value; a live signal always moves a little.",
                "The reading no longer reflects the process: its alarms cannot fire.",
                "Compare with neighbouring sensors; restart the gateway; send a technician.",
                120);
        }

        // ---- Learned models ----
        foreach (var (metric, name) in new[]
        {
            (MetricKind.No2, "NO₂"), (MetricKind.Pm25, "PM2.5"), (MetricKind.TrafficSpeed, "Traffic speed"),
            (MetricKind.Flow, "Flow"), (MetricKind.Power, "Power"),
        })
        {
            foreach (var site in citySites)
            {
                Add($"{site}.baseline.{metric.ToString().ToLowerInvariant()}", $"{name} unusual for the time of day",
                    new RuleScope(SiteKey: site, Metric: metric), new BaselineParameters(),
                    AlarmPriority.Low, $"{name} outside its usual range for this time of day and weekday",
                    "Something changed against the learned daily and weekly pattern: a leak at night, an incident, a drifting sensor.",
                    "Problems that stay inside fixed limits go unnoticed until they grow.",
                    "Compare with neighbouring sensors and the map; check the asset; recalibrate a drifting sensor.",
                    60);
            }
        }
        foreach (var (metric, name) in new[]
        {
            (MetricKind.Temperature, "Motor temperature"), (MetricKind.VibrationRms, "Vibration"), (MetricKind.Current, "Motor current"),
            (MetricKind.Pressure, "Hydraulic pressure"), (MetricKind.Flow, "Coolant flow"),
        })
        {
            Add($"plant.spc.{metric.ToString().ToLowerInvariant()}", $"{name} out of statistical control",
                new RuleScope(AssetType: AssetType.Machine, Metric: metric), new SpcParameters(),
                AlarmPriority.Low, $"{name} shows a shift or trend (control chart rules)",
                "A small sustained shift or trend: wear, fouling, a changed setting.",
                "Quality drifts and the fault grows until a limit alarm fires.",
                "Check recent changes on the machine; plan maintenance before the limit is reached.",
                120);
        }
        Add("plant.machine.multivariate", "Machine behaving abnormally",
            new RuleScope(AssetType: AssetType.Machine),
            new MultivariateParameters
            {
                Metrics = [MetricKind.Temperature, MetricKind.VibrationRms, MetricKind.Current, MetricKind.Pressure, MetricKind.Flow],
            },
            AlarmPriority.Medium, "Temperature, vibration, current, pressure and coolant flow no longer fit together",
            "The relation between the machine's signals changed (e.g. vibration up at normal load, heat without load): early bearing or cooling trouble.",
            "An unplanned stop follows if the cause grows.",
            "Open the machine's detail view to see which signal departs; reduce the line speed and schedule an inspection.",
            60, Playbooks.ReduceLineSpeed);

        return rules;
    }
}
