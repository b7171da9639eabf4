using System.Globalization;
using CityOps.Analytics.Alerts;
using CityOps.Analytics.Alerts.Multivariate;
using CityOps.Analytics.Alerts.Spc;

namespace CityOps.Web.Features.Alerts.Evidence;

/// <summary>What the evidence of one alarm is built from.</summary>
/// <param name="Readings">The sensor's readings from before <paramref name="From"/> (forecast models replay a warm-up)
/// to <paramref name="To"/>, oldest first.</param>
/// <param name="SavedState">The binding's learned state as the engine saved it (<see cref="RuleEngine.SaveStates"/>), if any.</param>
/// <param name="Members">Multivariate rules: the asset's sensors in the model's vector order, with their readings.</param>
public sealed record EvidenceInput(
    ModelParameters Model,
    SensorContext? Sensor,
    DateTime RaisedAt,
    DateTime? PredictedAt,
    DateTime From,
    DateTime To,
    IReadOnlyList<EvidencePoint> Readings,
    string? SavedState = null,
    IReadOnlyList<(SensorContext Sensor, IReadOnlyList<EvidencePoint> Readings)>? Members = null);

/// <summary>
/// Builds <see cref="AlarmEvidence"/> with the rule's own detectors, so the chart shows what the engine computed:
/// limits from the rule; the forecast replayed from history up to the raise time (no look-ahead); baseline and
/// multivariate scores by running the readings through the model as it was last saved. Pure: no I/O, no clock.
/// </summary>
public static class EvidenceBuilder
{
    /// <summary>Readings marked as triggering are at most this many; a long on-delay would otherwise mark thousands.</summary>
    internal const int MaxTriggers = 200;

    public static AlarmEvidence Build(EvidenceInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shown = input.Readings.Where(r => r.At >= input.From && r.At <= input.To).ToList();
        var unit = input.Sensor?.Unit ?? "";
        var notes = new List<string>();
        return input.Model switch
        {
            LimitParameters p => Limits(input, p, shown, notes),
            ForecastParameters p => Forecast(input, p, shown, notes),
            BaselineParameters p => Scored(input, "Learned baseline", DetectorFactory.Create(p, input.Sensor!), shown, notes, onlyOutside: true),
            SpcParameters p => Spc(input, p, shown, notes),
            MultivariateParameters p => Multivariate(input, p, notes),
            DataQualityParameters => new AlarmEvidence("Data quality", unit, input.From, input.To, input.RaisedAt, shown,
                ValidRange(input.Sensor!), null, [], Last(shown, input.RaisedAt), notes),
            _ => new AlarmEvidence(input.Model.GetType().Name, unit, input.From, input.To, input.RaisedAt, shown, [], null, [], Last(shown, input.RaisedAt), notes),
        };
    }

    private static AlarmEvidence Limits(EvidenceInput input, LimitParameters p, List<EvidencePoint> shown, List<string> notes)
    {
        var s = input.Sensor!;
        var lines = new List<EvidenceLine>();
        if (p.High is { } high)
        {
            lines.Add(new EvidenceLine("High limit", high, EvidenceLineKind.High));
            if (p.Deadband > 0)
            {
                lines.Add(new EvidenceLine("High clears below", high - p.Deadband, EvidenceLineKind.Deadband));
            }
        }
        if (p.Low is { } low)
        {
            lines.Add(new EvidenceLine("Low limit", low, EvidenceLineKind.Low));
            if (p.Deadband > 0)
            {
                lines.Add(new EvidenceLine("Low clears above", low + p.Deadband, EvidenceLineKind.Deadband));
            }
        }
        if (p.RateLimit is { } rate)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"Rate limit {rate:0.###} {s.Unit} per minute over {p.RateWindow.TotalMinutes:0.#} min."));
        }
        // The readings beyond a limit during the on-delay that ended in the raise.
        var since = input.RaisedAt - p.OnDelay - 2 * s.ExpectedInterval;
        var beyond = shown.Where(r => r.At >= since && r.At <= input.RaisedAt && (r.Value > p.High || r.Value < p.Low)).ToList();
        return new AlarmEvidence("Limits", s.Unit, input.From, input.To, input.RaisedAt, shown, lines, null, [],
            beyond.Count > 0 ? Cap(beyond) : Last(shown, input.RaisedAt), notes);
    }

    private static AlarmEvidence Forecast(EvidenceInput input, ForecastParameters p, List<EvidencePoint> shown, List<string> notes)
    {
        var s = input.Sensor!;
        var detector = new ForecastDetector(p, s);
        foreach (var r in input.Readings.Where(r => r.At <= input.RaisedAt))
        {
            detector.Update(r.At, r.Value);
        }
        var lines = new List<EvidenceLine>();
        if (p.High is { } high)
        {
            lines.Add(new EvidenceLine("High limit", high, EvidenceLineKind.High));
        }
        if (p.Low is { } low)
        {
            lines.Add(new EvidenceLine("Low limit", low, EvidenceLineKind.Low));
        }
        var points = detector.Forecast((int)p.Horizon.TotalMinutes);
        ForecastCone? cone = null;
        if (points.Count == 0)
        {
            notes.Add("No readings before the raise time to forecast from.");
        }
        else
        {
            if (!detector.IsWarm)
            {
                notes.Add($"The replayed forecast had less than its {p.WarmupMinutes}-minute warm-up of history.");
            }
            var crossing = points.FirstOrDefault(q => q.Value > p.High || q.Value < p.Low);
            var crossesHigh = crossing.At != default && crossing.Value > p.High;
            cone = new ForecastCone(input.RaisedAt, points,
                crossing.At != default ? crossing.At : input.PredictedAt,
                crossing.At == default ? p.High ?? p.Low : crossesHigh ? p.High : p.Low);
        }
        // The completed minutes that confirmed the warning.
        var since = input.RaisedAt - TimeSpan.FromMinutes(p.ConfirmMinutes + 1);
        var confirming = shown.Where(r => r.At >= since && r.At <= input.RaisedAt).ToList();
        return new AlarmEvidence("Forecast", s.Unit, input.From, input.To, input.RaisedAt, shown, lines, cone, [],
            confirming.Count > 0 ? Cap(confirming) : Last(shown, input.RaisedAt), notes);
    }

    private static AlarmEvidence Spc(EvidenceInput input, SpcParameters p, List<EvidencePoint> shown, List<string> notes)
    {
        var s = input.Sensor!;
        var (centre, sigma) = (p.Centre, p.Sigma);
        if ((centre is null || sigma is null) && input.SavedState is { } state)
        {
            var detector = new SpcDetector(p, s);
            detector.LoadState(RuleEngine.DetectorState(state));
            (centre, sigma) = (centre ?? detector.Centre, sigma ?? detector.Sigma);
        }
        var lines = new List<EvidenceLine>();
        var triggers = new List<EvidencePoint>();
        if (centre is { } c && sigma is { } sd)
        {
            lines.Add(new EvidenceLine("Centre", c, EvidenceLineKind.Centre));
            lines.Add(new EvidenceLine("Upper control limit (+3σ)", c + 3 * sd, EvidenceLineKind.ControlLimit));
            lines.Add(new EvidenceLine("Lower control limit (−3σ)", c - 3 * sd, EvidenceLineKind.ControlLimit));
            // The Western Electric rules count points beyond 1σ; eight subgroups cover the longest rule.
            var since = input.RaisedAt - 8 * (p.Subgroup > TimeSpan.Zero ? p.Subgroup : s.ExpectedInterval);
            triggers.AddRange(shown.Where(r => r.At >= since && r.At <= input.RaisedAt && Math.Abs(r.Value - c) > sd));
        }
        else
        {
            notes.Add("The control limits are not learned yet (no saved model state).");
        }
        return new AlarmEvidence("Statistical process control", s.Unit, input.From, input.To, input.RaisedAt, shown, lines, null, [],
            triggers.Count > 0 ? Cap(triggers) : Last(shown, input.RaisedAt), notes);
    }

    /// <summary>Runs the shown readings through the detector as last saved, collecting its score and band per reading.</summary>
    private static AlarmEvidence Scored(EvidenceInput input, string model, IDetector detector, List<EvidencePoint> shown, List<string> notes, bool onlyOutside)
    {
        if (input.SavedState is { } state)
        {
            detector.LoadState(RuleEngine.DetectorState(state));
            notes.Add("Scores are recomputed with the model as last saved, which has learned a little since the raise.");
        }
        else
        {
            notes.Add("No saved model state: scores are from a model learning from these readings alone.");
        }
        var scores = new List<ScorePoint>(shown.Count);
        foreach (var r in shown)
        {
            var d = detector.Update(r.At, r.Value);
            scores.Add(new ScorePoint(r.At, d.Score, d.Expected, d.BandLow, d.BandHigh));
        }
        var since = input.RaisedAt - TimeSpan.FromMinutes(5);
        var triggers = new List<EvidencePoint>();
        for (var i = 0; i < shown.Count; i++)
        {
            var (r, sc) = (shown[i], scores[i]);
            var outside = onlyOutside ? r.Value < sc.Low || r.Value > sc.High : sc.Score >= 0.5;
            if (r.At >= since && r.At <= input.RaisedAt && outside)
            {
                triggers.Add(r);
            }
        }
        return new AlarmEvidence(model, input.Sensor!.Unit, input.From, input.To, input.RaisedAt, shown, [], null, scores,
            triggers.Count > 0 ? Cap(triggers) : Last(shown, input.RaisedAt), notes);
    }

    /// <summary>Steps through the members' readings as the engine does (each sensor's latest value, once per step) and scores each vector.</summary>
    private static AlarmEvidence Multivariate(EvidenceInput input, MultivariateParameters p, List<string> notes)
    {
        var members = input.Members ?? [];
        if (members.Count != p.Metrics.Count)
        {
            notes.Add("The asset's sensors the model watches are not all registered.");
            return new AlarmEvidence("Multivariate", "", input.From, input.To, input.RaisedAt, [], [], null, [], [], notes);
        }
        var detector = DetectorFactory.CreateMultivariate(p, [.. members.Select(m => m.Sensor)]);
        if (input.SavedState is { } state)
        {
            detector.LoadState(RuleEngine.DetectorState(state));
        }
        else
        {
            notes.Add("No saved model state: the model was not trained when these scores were computed.");
        }
        var vector = new double[members.Count];
        var next = new int[members.Count];
        var seen = new bool[members.Count];
        var scores = new List<ScorePoint>();
        var steps = new List<EvidencePoint>();
        for (var t = input.From; t <= input.To; t += p.Step)
        {
            for (var m = 0; m < members.Count; m++)
            {
                var readings = members[m].Readings;
                while (next[m] < readings.Count && readings[next[m]].At <= t)
                {
                    vector[m] = readings[next[m]++].Value;
                    seen[m] = true;
                }
            }
            if (seen.All(x => x))
            {
                var d = detector.Update(t, vector);
                scores.Add(new ScorePoint(t, d.Score, null, null, null));
                steps.Add(new EvidencePoint(t, d.Score));
            }
        }
        var since = input.RaisedAt - 5 * p.Step;
        var triggers = steps.Where(x => x.At >= since && x.At <= input.RaisedAt && x.Value >= 0.5).ToList();
        notes.Add("Triggering points are the model's steps (scores), not single readings.");
        return new AlarmEvidence("Multivariate", "", input.From, input.To, input.RaisedAt, [], [], null, scores,
            triggers.Count > 0 ? Cap(triggers) : Last(steps, input.RaisedAt), notes);
    }

    private static IReadOnlyList<EvidenceLine> ValidRange(SensorContext s) =>
        [new EvidenceLine("Valid maximum", s.ValidMax, EvidenceLineKind.ValidRange), new EvidenceLine("Valid minimum", s.ValidMin, EvidenceLineKind.ValidRange)];

    /// <summary>The reading the alarm was raised on: the last one at or before the raise time.</summary>
    private static IReadOnlyList<EvidencePoint> Last(IReadOnlyList<EvidencePoint> shown, DateTime raisedAt)
    {
        for (var i = shown.Count - 1; i >= 0; i--)
        {
            if (shown[i].At <= raisedAt)
            {
                return [shown[i]];
            }
        }
        return [];
    }

    private static IReadOnlyList<EvidencePoint> Cap(List<EvidencePoint> points) => points.Count <= MaxTriggers ? points : points[^MaxTriggers..];
}
