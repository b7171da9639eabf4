namespace CityOps.Analytics.Alerts;

public sealed partial record BaselineParameters
{
    /// <summary>Time-of-day slots of the learned profile (24 = hourly slots; finer slots need more days to learn), in the site's local time.</summary>
    public int SlotsPerDay { get; init; } = 24;

    /// <summary>Learn a per-weekday offset on top of the time-of-day profile (weekends differ from weekdays).</summary>
    public bool DayOfWeek { get; init; } = true;

    /// <summary>How many days of history each time-of-day slot mostly remembers (older days fade out).</summary>
    public double ProfileMemoryDays { get; init; } = 14;

    /// <summary>Readings the long-term distribution of deviations mostly remembers.</summary>
    public int LongMemoryReadings { get; init; } = 2000;

    /// <summary>Readings the short-term average spans (the "is it still deviating" window).</summary>
    public int ShortWindowReadings { get; init; } = 6;

    /// <summary>Readings before any score is reported; until then the model only learns.</summary>
    public int WarmupReadings { get; init; } = 60;

    /// <summary>The score is 1 - exp(-s / this), where s = -log10 of the tail probability (after the rarity blend).</summary>
    public double ScoreDecades { get; init; } = 8;

    /// <summary>
    /// Share of the score that comes from how rare the surprise is among this sensor's own past surprises (the
    /// rest is the surprise itself): a sensor that is often surprised is discounted.
    /// </summary>
    public double RarityWeight { get; init; } = 0.25;

    /// <summary>Consecutive readings outside the normal band that raise the alarm (a single spike does not).</summary>
    public int SustainReadings { get; init; } = 3;

    /// <summary>Consecutive readings inside the normal band that clear the alarm.</summary>
    public int ClearReadings { get; init; } = 6;

    /// <summary>A score at or above this reports a new anomaly; the same anomaly is not reported again during the hold-off.</summary>
    public double ReportScore { get; init; } = 0.5;

    /// <summary>
    /// Readings after a reported anomaly during which further scores are damped (one event, one report). Counted in
    /// readings rather than time so the same setting suits sensors sampled every second and every hour.
    /// </summary>
    public int HoldoffReadings { get; init; } = 200;

    /// <summary>Factor applied to scores during the hold-off (0: a reported event is not reported again).</summary>
    public double HoldoffWeight { get; init; } = 0;

    /// <summary>Half-width of the normal band (drawn on charts, and what the alarm compares with), in standard deviations of the residual.</summary>
    public double BandSigmas { get; init; } = 3;
}
