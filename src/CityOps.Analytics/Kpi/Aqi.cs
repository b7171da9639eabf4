namespace CityOps.Analytics.Kpi;

public enum Pollutant { Pm25, Pm10, No2, O3 }

/// <summary>One row of an EPA AQI breakpoint table: concentrations [ConcLow, ConcHigh] map linearly to [IndexLow, IndexHigh].</summary>
public readonly record struct AqiBreakpoint(double ConcLow, double ConcHigh, int IndexLow, int IndexHigh);

/// <summary>The AQI category names of the EPA (index ranges 0–50, 51–100, 101–150, 151–200, 201–300, 301+).</summary>
public enum AqiCategory { Good, Moderate, UnhealthyForSensitiveGroups, Unhealthy, VeryUnhealthy, Hazardous }

/// <summary>An AQI value, or none when the concentration is missing.</summary>
/// <param name="BeyondIndex">The concentration is above the table's top breakpoint; the index is reported as 500.</param>
public readonly record struct AqiValue(int Index, AqiCategory Category, bool BeyondIndex);

/// <summary>
/// A versioned US EPA AQI breakpoint table. Sources: 40 CFR Part 58, Appendix G, Table 2 — the 2012 version
/// (EPA-454/B-18-007 "Technical Assistance Document for the Reporting of Daily Air Quality", Sept 2018) and the
/// 2024 revision (Federal Register 89 FR 16202, 7 March 2024: PM2.5 Good ends at 9.0 µg/m³, Hazardous is
/// 301–500 for 225.5–325.4 µg/m³). Concentration averaging: PM2.5 and PM10 24-hour, NO2 1-hour (ppb),
/// O3 8-hour (ppm). Concentrations are truncated first: PM2.5 to 0.1 µg/m³, PM10 to 1 µg/m³, NO2 to 1 ppb,
/// O3 to 0.001 ppm. I = (I_hi − I_lo) / (C_hi − C_lo) × (C − C_lo) + I_lo, rounded to the nearest integer.
/// </summary>
public sealed class AqiTable
{
    private readonly IReadOnlyDictionary<Pollutant, AqiBreakpoint[]> _rows;

    private AqiTable(string version, DateOnly validFrom, IReadOnlyDictionary<Pollutant, AqiBreakpoint[]> rows)
    {
        Version = version;
        ValidFrom = validFrom;
        _rows = rows;
    }

    public string Version { get; }

    /// <summary>The first day this table applies to (older periods use the table before it).</summary>
    public DateOnly ValidFrom { get; }

    public static AqiTable Epa2012 { get; } = new("EPA 2012", new DateOnly(2012, 12, 14), new Dictionary<Pollutant, AqiBreakpoint[]>
    {
        [Pollutant.Pm25] = [new(0.0, 12.0, 0, 50), new(12.1, 35.4, 51, 100), new(35.5, 55.4, 101, 150), new(55.5, 150.4, 151, 200),
            new(150.5, 250.4, 201, 300), new(250.5, 350.4, 301, 400), new(350.5, 500.4, 401, 500)],
        [Pollutant.Pm10] = [new(0, 54, 0, 50), new(55, 154, 51, 100), new(155, 254, 101, 150), new(255, 354, 151, 200),
            new(355, 424, 201, 300), new(425, 504, 301, 400), new(505, 604, 401, 500)],
        [Pollutant.No2] = [new(0, 53, 0, 50), new(54, 100, 51, 100), new(101, 360, 101, 150), new(361, 649, 151, 200),
            new(650, 1249, 201, 300), new(1250, 1649, 301, 400), new(1650, 2049, 401, 500)],
        [Pollutant.O3] = [new(0.000, 0.054, 0, 50), new(0.055, 0.070, 51, 100), new(0.071, 0.085, 101, 150), new(0.086, 0.105, 151, 200),
            new(0.106, 0.200, 201, 300)],
    });

    public static AqiTable Epa2024 { get; } = new("EPA 2024", new DateOnly(2024, 5, 6), new Dictionary<Pollutant, AqiBreakpoint[]>
    {
        [Pollutant.Pm25] = [new(0.0, 9.0, 0, 50), new(9.1, 35.4, 51, 100), new(35.5, 55.4, 101, 150), new(55.5, 125.4, 151, 200),
            new(125.5, 225.4, 201, 300), new(225.5, 325.4, 301, 500)],
        [Pollutant.Pm10] = [new(0, 54, 0, 50), new(55, 154, 51, 100), new(155, 254, 101, 150), new(255, 354, 151, 200),
            new(355, 424, 201, 300), new(425, 604, 301, 500)],
        [Pollutant.No2] = [new(0, 53, 0, 50), new(54, 100, 51, 100), new(101, 360, 101, 150), new(361, 649, 151, 200),
            new(650, 1249, 201, 300), new(1250, 2049, 301, 500)],
        [Pollutant.O3] = [new(0.000, 0.054, 0, 50), new(0.055, 0.070, 51, 100), new(0.071, 0.085, 101, 150), new(0.086, 0.105, 151, 200),
            new(0.106, 0.200, 201, 300)],
    });

    public static IReadOnlyList<AqiTable> All { get; } = [Epa2012, Epa2024];

    /// <summary>The table in force on <paramref name="day"/>.</summary>
    public static AqiTable For(DateOnly day) => day >= Epa2024.ValidFrom ? Epa2024 : Epa2012;

    public IReadOnlyList<AqiBreakpoint> Breakpoints(Pollutant pollutant) => _rows[pollutant];

    /// <summary>The sub-index of one pollutant. Concentration in the table's unit (µg/m³ for PM, ppb for NO2, ppm for O3).</summary>
    public AqiValue Index(Pollutant pollutant, double concentration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(concentration);
        var c = Truncate(pollutant, concentration);
        var rows = _rows[pollutant];
        foreach (var row in rows)
        {
            if (c <= row.ConcHigh)
            {
                // Truncation leaves no value between one row's high and the next row's low.
                var index = (int)Math.Round((row.IndexHigh - row.IndexLow) / (row.ConcHigh - row.ConcLow) * (c - row.ConcLow) + row.IndexLow,
                    MidpointRounding.AwayFromZero);
                return new AqiValue(index, CategoryOf(index), false);
            }
        }
        return new AqiValue(500, AqiCategory.Hazardous, true);
    }

    /// <summary>The overall AQI: the highest sub-index of the pollutants given (missing ones are skipped); null when none.</summary>
    public (AqiValue Value, Pollutant Dominant)? Overall(IEnumerable<(Pollutant Pollutant, double? Concentration)> concentrations)
    {
        (AqiValue, Pollutant)? worst = null;
        foreach (var (pollutant, concentration) in concentrations)
        {
            if (concentration is not { } c || double.IsNaN(c))
                continue;
            var value = Index(pollutant, c);
            if (worst is null || value.Index > worst.Value.Item1.Index)
                worst = (value, pollutant);
        }
        return worst;
    }

    public static AqiCategory CategoryOf(int index) => index switch
    {
        <= 50 => AqiCategory.Good,
        <= 100 => AqiCategory.Moderate,
        <= 150 => AqiCategory.UnhealthyForSensitiveGroups,
        <= 200 => AqiCategory.Unhealthy,
        <= 300 => AqiCategory.VeryUnhealthy,
        _ => AqiCategory.Hazardous,
    };

    private static double Truncate(Pollutant pollutant, double c) => pollutant switch
    {
        Pollutant.Pm25 => Math.Floor(c * 10 + 1e-9) / 10,
        Pollutant.O3 => Math.Floor(c * 1000 + 1e-9) / 1000,
        _ => Math.Floor(c + 1e-9),
    };

    /// <summary>µg/m³ → ppb at 25 °C and 1 atm (molar volume 24.45 L), as EPA reports gases.</summary>
    public static double MicrogramsToPpb(Pollutant gas, double microgramsPerCubicMetre) =>
        microgramsPerCubicMetre * 24.45 / gas switch
        {
            Pollutant.No2 => 46.0055,
            Pollutant.O3 => 47.9982,
            _ => throw new ArgumentException("Only gases convert to ppb.", nameof(gas)),
        };
}
