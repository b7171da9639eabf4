namespace CityOps.Analytics.Alerts;

public sealed partial record SpcParameters
{
    /// <summary>Phase I: the first this many points (subgroup means when <see cref="Subgroup"/> is set) give the centre and σ.</summary>
    public int PhaseOneCount { get; init; } = 60;

    /// <summary>A known in-control centre (e.g. the design set point); learned in Phase I when null.</summary>
    public double? Centre { get; init; }

    /// <summary>A known in-control standard deviation of the plotted points; learned in Phase I when null.</summary>
    public double? Sigma { get; init; }

    /// <summary>
    /// Readings are averaged over consecutive windows of this length and the rules run on the means. Plant sensors
    /// report every few seconds; on raw, noisy, autocorrelated points the run rules fire far too often.
    /// <see cref="TimeSpan.Zero"/> charts every reading.
    /// </summary>
    public TimeSpan Subgroup { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Western Electric rule 1: one point beyond 3σ.</summary>
    public bool Rule1 { get; init; } = true;

    /// <summary>Western Electric rule 2: 2 of 3 consecutive points beyond 2σ on the same side.</summary>
    public bool Rule2 { get; init; } = true;

    /// <summary>Western Electric rule 3: 4 of 5 consecutive points beyond 1σ on the same side.</summary>
    public bool Rule3 { get; init; } = true;

    /// <summary>Western Electric rule 4: 8 consecutive points on the same side of the centre.</summary>
    public bool Rule4 { get; init; } = true;

    /// <summary>EWMA chart: sensitive to small sustained shifts.</summary>
    public bool Ewma { get; init; } = true;

    /// <summary>EWMA weight of the newest point, in (0, 1]; smaller remembers longer and sees smaller shifts.</summary>
    public double EwmaLambda { get; init; } = 0.2;

    /// <summary>EWMA limit width in σ of the EWMA statistic.</summary>
    public double EwmaL { get; init; } = 3.0;

    /// <summary>Tabular CUSUM chart: accumulates deviations beyond the slack <see cref="CusumK"/>.</summary>
    public bool Cusum { get; init; } = true;

    /// <summary>CUSUM slack in σ: half the shift the chart is tuned to find quickly.</summary>
    public double CusumK { get; init; } = 0.5;

    /// <summary>CUSUM decision interval in σ.</summary>
    public double CusumH { get; init; } = 5.0;
}
