using System.Globalization;
using System.Text.RegularExpressions;

namespace CityOps.Analytics.Alerts;

/// <summary>
/// One thing wrong with a rule, said so that an administrator can fix it: <see cref="Field"/> is the JSON path of
/// the field (e.g. "model.deadband", "scope", "rationalisation.timeToRespond") the editor shows the message under.
/// </summary>
public sealed record RuleProblem(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>A rule that cannot be saved, backtested or imported, with everything wrong with it.</summary>
public sealed class RuleValidationException(IReadOnlyList<RuleProblem> problems)
    : ArgumentException(problems.Count == 0 ? "The rule is invalid." : string.Join(" ", problems.Select(p => p.Message)), "definition")
{
    public IReadOnlyList<RuleProblem> Problems { get; } = problems;
}

/// <summary>
/// Checks a rule definition before it is saved, backtested or imported. Every message explains the constraint
/// (e.g. "The deadband (6) must be smaller than the distance between the low and high limits (5).").
/// </summary>
/// <remarks>
/// The checks are at least as strict as the detectors' own constructors, so a rule that passes here never stops the
/// engine from loading the rule set; the detectors keep their checks for callers that build them directly.
/// </remarks>
public static partial class RuleValidation
{
    /// <summary>Longest rule key: the column the key is stored in.</summary>
    public const int MaxKeyLength = 200;

    /// <summary>All the problems of <paramref name="definition"/>; empty when it can be saved.</summary>
    public static IReadOnlyList<RuleProblem> Validate(AlertRuleDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var p = new Problems();
        CheckRule(definition, p);
        CheckScope(definition, p);
        CheckRationalisation(definition.Rationalisation, p);
        CheckPlaybooks(definition.Playbooks, p);
        switch (definition.Model)
        {
            case null:
                p.Add("model", "A rule needs a model (limit, dataQuality, baseline, forecast, spc or multivariate).");
                break;
            case LimitParameters limit:
                CheckLimit(limit, p);
                break;
            case DataQualityParameters quality:
                CheckDataQuality(quality, p);
                break;
            case BaselineParameters baseline:
                CheckBaseline(baseline, p);
                break;
            case ForecastParameters forecast:
                CheckForecast(forecast, p);
                break;
            case SpcParameters spc:
                CheckSpc(spc, p);
                break;
            case MultivariateParameters multivariate:
                CheckMultivariate(multivariate, p);
                break;
        }
        return p.List;
    }

    /// <summary>Throws <see cref="RuleValidationException"/> when <paramref name="definition"/> has problems.</summary>
    public static void ThrowIfInvalid(AlertRuleDefinition definition)
    {
        var problems = Validate(definition);
        if (problems.Count > 0)
        {
            throw new RuleValidationException(problems);
        }
    }

    /// <summary>Whether <paramref name="key"/> has the form of a rule key (lower-case dotted words, e.g. "plant.motor_temp.high").</summary>
    public static bool IsValidKey(string? key) => key is { Length: > 0 and <= MaxKeyLength } && KeyPattern().IsMatch(key);

    private static void CheckRule(AlertRuleDefinition d, Problems p)
    {
        if (string.IsNullOrWhiteSpace(d.Key))
        {
            p.Add("key", "A rule needs a key, e.g. \"plant.motor_temp.high\"; alarms and versions refer to it.");
        }
        else if (d.Key.Length > MaxKeyLength)
        {
            p.Add("key", $"The key is {d.Key.Length} characters long; at most {MaxKeyLength} are stored.");
        }
        else if (!KeyPattern().IsMatch(d.Key))
        {
            p.Add("key", $"The key \"{d.Key}\" must be lower-case words of letters, digits, '_' or '-' separated by dots, e.g. \"plant.motor_temp.high\".");
        }
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            p.Add("name", "A rule needs a name: operators read it in the alarm list.");
        }
        if (string.IsNullOrWhiteSpace(d.Message))
        {
            p.Add("message", "A rule needs a message: it is what the alarm says.");
        }
        if (!Enum.IsDefined(d.Priority))
        {
            p.Add("priority", $"The priority ({(int)d.Priority}) must be one of Low, Medium, High or Critical.");
        }
    }

    private static void CheckScope(AlertRuleDefinition d, Problems p)
    {
        var scope = d.Scope;
        if (scope is null)
        {
            p.Add("scope", "A rule needs a scope: the sensor, site, asset type or metric it watches.");
            return;
        }
        if (scope.SensorKey is not null && string.IsNullOrWhiteSpace(scope.SensorKey))
        {
            p.Add("scope.sensorKey", "The sensor key is blank: name a sensor or leave the field out.");
        }
        if (scope.SiteKey is not null && string.IsNullOrWhiteSpace(scope.SiteKey))
        {
            p.Add("scope.siteKey", "The site key is blank: name a site or leave the field out.");
        }
        if (scope.AssetType is { } type && !Enum.IsDefined(type))
        {
            p.Add("scope.assetType", $"The asset type ({(int)type}) is not a known asset type.");
        }
        if (scope.Metric is { } metric && !Enum.IsDefined(metric))
        {
            p.Add("scope.metric", $"The metric ({(int)metric}) is not a known metric.");
        }
        // A data-quality check is meant for every sensor ("is it still reporting?"); any other model over every
        // sensor of every kind is a mistake: one limit cannot suit temperatures and flows alike.
        if (scope is { SensorKey: null, SiteKey: null, AssetType: null, Metric: null } && d.Model is not DataQualityParameters)
        {
            p.Add("scope", "The scope must name at least one of sensor, site, asset type or metric; only a data-quality rule may watch every sensor.");
        }
    }

    private static void CheckRationalisation(Rationalisation? r, Problems p)
    {
        if (r is null)
        {
            p.Add("rationalisation", "A rule needs its rationalisation: cause, consequence, corrective action and time to respond.");
            return;
        }
        if (string.IsNullOrWhiteSpace(r.Cause))
        {
            p.Add("rationalisation.cause", "Say what causes the alarm, so the operator can tell a real one from a fault.");
        }
        if (string.IsNullOrWhiteSpace(r.Consequence))
        {
            p.Add("rationalisation.consequence", "Say what happens if nobody acts: it is why the alarm exists.");
        }
        if (string.IsNullOrWhiteSpace(r.CorrectiveAction))
        {
            p.Add("rationalisation.correctiveAction", "Say what the operator does about the alarm; an alarm without an action is not an alarm.");
        }
        if (r.TimeToRespond <= TimeSpan.Zero)
        {
            p.Add("rationalisation.timeToRespond", $"The time to respond ({r.TimeToRespond}) must be longer than zero: it is how long the operator has before the consequence.");
        }
    }

    private static void CheckPlaybooks(IReadOnlyList<string>? playbooks, Problems p)
    {
        if (playbooks is null)
        {
            p.Add("playbooks", "The playbooks must be a list of playbook keys (an empty list when the alarm offers none).");
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < playbooks.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(playbooks[i]))
            {
                p.Add($"playbooks[{i}]", $"Playbook {i + 1} has no key: name the playbook (e.g. \"line.reduce_speed\") or remove the entry.");
            }
            else if (!seen.Add(playbooks[i]))
            {
                p.Add($"playbooks[{i}]", $"The playbook \"{playbooks[i]}\" is listed twice.");
            }
        }
    }

    private static void CheckLimit(LimitParameters m, Problems p)
    {
        if (m.High is null && m.Low is null && m.RateLimit is null)
        {
            p.Add("model", "A limit rule needs a high limit, a low limit or a rate-of-change limit.");
        }
        p.Finite("model.high", "high limit", m.High);
        p.Finite("model.low", "low limit", m.Low);
        if (m is { High: { } high, Low: { } low } && double.IsFinite(high) && double.IsFinite(low) && high <= low)
        {
            p.Add("model.low", $"The low limit ({N(low)}) must be below the high limit ({N(high)}).");
        }
        if (!(m.Deadband >= 0) || !double.IsFinite(m.Deadband))
        {
            p.Add("model.deadband", $"The deadband ({N(m.Deadband)}) cannot be negative: it is how far the value must come back before the alarm clears.");
        }
        else if (m is { High: { } h, Low: { } l } && h > l && m.Deadband >= h - l)
        {
            p.Add("model.deadband", $"The deadband ({N(m.Deadband)}) must be smaller than the distance between the low and high limits ({N(h - l)}), or a cleared high alarm would already be a low one.");
        }
        NonNegative(p, "model.onDelay", "on-delay", m.OnDelay, "how long the condition must hold before the alarm is raised");
        NonNegative(p, "model.offDelay", "off-delay", m.OffDelay, "how long the condition must be gone before the alarm clears");
        if (m.RateLimit is { } rate)
        {
            if (!(rate > 0) || !double.IsFinite(rate))
            {
                p.Add("model.rateLimit", $"The rate limit ({N(rate)}) must be a positive change per minute (it applies in both directions).");
            }
            if (m.RateWindow <= TimeSpan.Zero)
            {
                p.Add("model.rateWindow", $"The rate window ({m.RateWindow}) must be longer than zero: the rate is measured over it.");
            }
        }
    }

    private static void CheckDataQuality(DataQualityParameters m, Problems p)
    {
        if (m.StaleIntervals is null && m.FlatlineDuration is null && !m.CheckRange)
        {
            p.Add("model", "A data-quality rule needs at least one check: stale data, flatline or physical range.");
        }
        if (m.StaleIntervals is { } stale && (!(stale > 0) || !double.IsFinite(stale)))
        {
            p.Add("model.staleIntervals", $"The stale threshold ({N(stale)}) must be a positive number of expected intervals without a reading.");
        }
        NonNegative(p, "model.staleMinimum", "stale minimum", m.StaleMinimum, "the shortest silence reported as stale");
        if (m.FlatlineDuration is { } flat && flat <= TimeSpan.Zero)
        {
            p.Add("model.flatlineDuration", $"The flatline duration ({flat}) must be longer than zero: identical readings for that long mean a stuck sensor.");
        }
        if (m.FlatlineDuration is not null && m.FlatlineReadings < 2)
        {
            p.Add("model.flatlineReadings", $"A flatline needs at least 2 identical readings, not {m.FlatlineReadings}.");
        }
    }

    private static void CheckBaseline(BaselineParameters m, Problems p)
    {
        if (m.SlotsPerDay is < 1 or > 1440)
        {
            p.Add("model.slotsPerDay", $"The slots per day ({m.SlotsPerDay}) must be between 1 and 1440 (one per minute).");
        }
        if (!(m.ProfileMemoryDays > 0) || !double.IsFinite(m.ProfileMemoryDays))
        {
            p.Add("model.profileMemoryDays", $"The profile memory ({N(m.ProfileMemoryDays)} days) must be longer than zero.");
        }
        if (m.LongMemoryReadings < 2)
        {
            p.Add("model.longMemoryReadings", $"The long memory ({m.LongMemoryReadings} readings) must be at least 2 readings.");
        }
        if (m.ShortWindowReadings < 1)
        {
            p.Add("model.shortWindowReadings", $"The short window ({m.ShortWindowReadings} readings) must be at least 1 reading.");
        }
        else if (m.LongMemoryReadings >= 2 && m.ShortWindowReadings >= m.LongMemoryReadings)
        {
            p.Add("model.shortWindowReadings", $"The short window ({m.ShortWindowReadings} readings) must be shorter than the long memory ({m.LongMemoryReadings} readings).");
        }
        if (m.WarmupReadings < 0)
        {
            p.Add("model.warmupReadings", $"The warm-up ({m.WarmupReadings} readings) cannot be negative.");
        }
        if (!(m.ScoreDecades > 0) || !double.IsFinite(m.ScoreDecades))
        {
            p.Add("model.scoreDecades", $"The score scale ({N(m.ScoreDecades)} decades) must be positive.");
        }
        Fraction(p, "model.rarityWeight", "rarity weight", m.RarityWeight, includeZero: true);
        if (m.SustainReadings < 1)
        {
            p.Add("model.sustainReadings", $"The alarm needs at least 1 reading outside the band to be raised, not {m.SustainReadings}.");
        }
        if (m.ClearReadings < 1)
        {
            p.Add("model.clearReadings", $"The alarm needs at least 1 reading inside the band to clear, not {m.ClearReadings}.");
        }
        Fraction(p, "model.reportScore", "report score", m.ReportScore, includeZero: false);
        if (m.HoldoffReadings < 0)
        {
            p.Add("model.holdoffReadings", $"The hold-off ({m.HoldoffReadings} readings) cannot be negative.");
        }
        Fraction(p, "model.holdoffWeight", "hold-off weight", m.HoldoffWeight, includeZero: true);
        if (!(m.BandSigmas > 0) || !double.IsFinite(m.BandSigmas))
        {
            p.Add("model.bandSigmas", $"The band half-width ({N(m.BandSigmas)} σ) must be positive.");
        }
    }

    private static void CheckForecast(ForecastParameters m, Problems p)
    {
        if (m.High is null && m.Low is null)
        {
            p.Add("model", "A forecast rule needs a high or a low limit to warn about.");
        }
        p.Finite("model.high", "high limit", m.High);
        p.Finite("model.low", "low limit", m.Low);
        if (m is { High: { } high, Low: { } low } && high <= low)
        {
            p.Add("model.low", $"The low limit ({N(low)}) must be below the high limit ({N(high)}).");
        }
        if (m.Horizon < TimeSpan.FromMinutes(1))
        {
            p.Add("model.horizon", $"The horizon ({m.Horizon}) must be at least one minute: the model forecasts minute by minute.");
        }
        else if (m.Horizon.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            p.Add("model.horizon", $"The horizon ({m.Horizon}) must be a whole number of minutes.");
        }
        else if (m.Horizon > TimeSpan.FromDays(1))
        {
            p.Add("model.horizon", $"The horizon ({m.Horizon}) must be at most one day: a short-horizon forecast is not a weather report.");
        }
        Fraction(p, "model.alpha", "level smoothing α", m.Alpha, includeZero: false);
        Fraction(p, "model.beta", "trend smoothing β", m.Beta, includeZero: false);
        Fraction(p, "model.phi", "trend damping φ", m.Phi, includeZero: false);
        if (m.Season is { } season)
        {
            if (season < TimeSpan.FromMinutes(30) || season.Ticks % (15 * TimeSpan.TicksPerMinute) != 0)
            {
                p.Add("model.season", $"The season ({season}) must be a multiple of 15 minutes and at least 30 minutes long (e.g. one day).");
            }
            Fraction(p, "model.gamma", "seasonal smoothing γ", m.Gamma, includeZero: false);
        }
        if (!(m.IntervalZ >= 0) || !double.IsFinite(m.IntervalZ))
        {
            p.Add("model.intervalZ", $"The interval width ({N(m.IntervalZ)} standard deviations) cannot be negative.");
        }
        if (m.ConfirmMinutes < 1)
        {
            p.Add("model.confirmMinutes", $"A warning must be confirmed for at least 1 minute, not {m.ConfirmMinutes}.");
        }
        if (m.WarmupMinutes < 2)
        {
            p.Add("model.warmupMinutes", $"The warm-up ({m.WarmupMinutes} minutes) must be at least 2 minutes, so the error estimate has data.");
        }
    }

    private static void CheckSpc(SpcParameters m, Problems p)
    {
        if (m.Centre is { } centre && !double.IsFinite(centre))
        {
            p.Add("model.centre", "The centre must be a finite number.");
        }
        if (m.Sigma is { } sigma && (!(sigma > 0) || !double.IsFinite(sigma)))
        {
            p.Add("model.sigma", $"σ ({N(sigma)}) must be positive.");
        }
        if (m.PhaseOneCount < 2 && (m.Centre is null || m.Sigma is null))
        {
            p.Add("model.phaseOneCount", $"Phase I needs at least 2 points to learn the centre and σ, not {m.PhaseOneCount}, unless both are given.");
        }
        NonNegative(p, "model.subgroup", "subgroup", m.Subgroup, "the window readings are averaged over");
        if (!m.Rule1 && !m.Rule2 && !m.Rule3 && !m.Rule4 && !m.Ewma && !m.Cusum)
        {
            p.Add("model", "An SPC rule needs at least one Western Electric rule, the EWMA chart or the CUSUM chart switched on.");
        }
        Fraction(p, "model.ewmaLambda", "EWMA weight λ", m.EwmaLambda, includeZero: false);
        if (!(m.EwmaL > 0) || !double.IsFinite(m.EwmaL))
        {
            p.Add("model.ewmaL", $"The EWMA limit width ({N(m.EwmaL)} σ) must be positive.");
        }
        if (!(m.CusumK >= 0) || !double.IsFinite(m.CusumK))
        {
            p.Add("model.cusumK", $"The CUSUM slack ({N(m.CusumK)} σ) cannot be negative.");
        }
        if (!(m.CusumH > 0) || !double.IsFinite(m.CusumH))
        {
            p.Add("model.cusumH", $"The CUSUM decision interval ({N(m.CusumH)} σ) must be positive.");
        }
    }

    private static void CheckMultivariate(MultivariateParameters m, Problems p)
    {
        var metrics = m.Metrics ?? [];
        if (metrics.Count < 2)
        {
            p.Add("model.metrics", $"A multivariate model needs at least two metrics of the asset, not {metrics.Count}.");
        }
        foreach (var duplicate in metrics.GroupBy(x => x).Where(g => g.Count() > 1))
        {
            p.Add("model.metrics", $"The metric {duplicate.Key} is listed {duplicate.Count()} times; each sensor enters the vector once.");
        }
        foreach (var unknown in metrics.Where(x => !Enum.IsDefined(x)))
        {
            p.Add("model.metrics", $"The metric ({(int)unknown}) is not a known metric.");
        }
        if (m.Step <= TimeSpan.Zero)
        {
            p.Add("model.step", $"The step ({m.Step}) must be longer than zero.");
        }
        if (m.TrainingSize <= metrics.Count + 1)
        {
            p.Add("model.trainingSize", $"The training size ({m.TrainingSize} vectors) must exceed the number of metrics + 1 ({metrics.Count + 1}).");
        }
        Fraction(p, "model.varianceExplained", "variance explained", m.VarianceExplained, includeZero: false);
        if (m.Components is { } c && (c < 1 || c > Math.Max(1, metrics.Count)))
        {
            p.Add("model.components", $"The number of components ({c}) must be between 1 and the number of metrics ({metrics.Count}).");
        }
        if (!(m.ConfidenceLevel > 0.5 && m.ConfidenceLevel < 1))
        {
            p.Add("model.confidenceLevel", $"The confidence level ({N(m.ConfidenceLevel)}) must be above 0.5 and below 1, e.g. 0.999.");
        }
        if (m.TrainingQuantile is { } q && !(q > 0 && q < 1))
        {
            p.Add("model.trainingQuantile", $"The training quantile ({N(q)}) must be above 0 and below 1, e.g. 0.995.");
        }
        if (!(m.LimitFactor > 0) || !double.IsFinite(m.LimitFactor))
        {
            p.Add("model.limitFactor", $"The limit factor ({N(m.LimitFactor)}) must be positive.");
        }
        if (m.SmoothingWindow < 1)
        {
            p.Add("model.smoothingWindow", $"The smoothing window ({m.SmoothingWindow} vectors) must be at least 1.");
        }
        if (!Enum.IsDefined(m.Statistic))
        {
            p.Add("model.statistic", $"The statistic ({(int)m.Statistic}) must be T2, Q, Either or Combined.");
        }
        if (!(m.MinRelativeSpread >= 0) || !double.IsFinite(m.MinRelativeSpread))
        {
            p.Add("model.minRelativeSpread", $"The minimum relative spread ({N(m.MinRelativeSpread)}) cannot be negative.");
        }
    }

    private static void NonNegative(Problems p, string field, string name, TimeSpan value, string meaning)
    {
        if (value < TimeSpan.Zero)
        {
            p.Add(field, $"The {name} ({value}) cannot be negative: it is {meaning}.");
        }
    }

    private static void Fraction(Problems p, string field, string name, double value, bool includeZero)
    {
        var ok = (includeZero ? value >= 0 : value > 0) && value <= 1;
        if (!ok)
        {
            p.Add(field, includeZero
                ? $"The {name} ({N(value)}) must be between 0 and 1."
                : $"The {name} ({N(value)}) must be above 0 and at most 1.");
        }
    }

    private static string N(double value) =>
        double.IsFinite(value) ? value.ToString("0.######", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    private sealed class Problems
    {
        public List<RuleProblem> List { get; } = [];

        public void Add(string field, string message) => List.Add(new RuleProblem(field, message));

        public void Finite(string field, string name, double? value)
        {
            if (value is { } v && !double.IsFinite(v))
            {
                Add(field, $"The {name} must be a finite number.");
            }
        }
    }
}
