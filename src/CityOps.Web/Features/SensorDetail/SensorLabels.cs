namespace CityOps.Web.Features.SensorDetail;

/// <summary>What people call a sensor's signal (<c>motor_temp</c> → Motor temperature).</summary>
public static class SensorLabels
{
    public static string Signal(string signal) => signal switch
    {
        "motor_temp" => "Motor temperature",
        "vibration" => "Vibration",
        "current" => "Current",
        "pressure" => "Pressure",
        "pressure_inlet" => "Inlet pressure",
        "pressure_cp" => "Critical-point pressure",
        "coolant_flow" => "Coolant flow",
        "good" => "Good parts",
        "scrap" => "Scrap parts",
        "state" => "Machine state",
        "pm25" => "PM2.5",
        "pm10" => "PM10",
        "no2" => "NO₂",
        "o3" => "O₃",
        "temp" => "Temperature",
        "speed" => "Speed",
        "occupancy" => "Occupancy",
        "flow" => "Flow",
        "power" => "Power",
        "energy" => "Energy",
        "level" => "Lighting level",
        "voltage" => "Voltage",
        _ => char.ToUpperInvariant(signal[0]) + signal[1..].Replace('_', ' '),
    };
}
