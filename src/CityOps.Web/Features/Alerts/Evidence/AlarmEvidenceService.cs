using CityOps.Analytics.Alerts;
using CityOps.Web.Data;
using CityOps.Web.Features.ControlRoom;
using CityOps.Web.Features.SensorDetail;
using Microsoft.EntityFrameworkCore;

namespace CityOps.Web.Features.Alerts.Evidence;

/// <summary>
/// Reads what an alarm's evidence needs (the rule version that raised it, the sensors' history around the raise, the
/// model's saved state) and builds it with <see cref="EvidenceBuilder"/>.
/// </summary>
public interface IAlarmEvidence
{
    /// <summary>Null when there is nothing to chart (the rule version is not recorded, or the sensor is not registered).</summary>
    Task<AlarmEvidence?> BuildAsync(AlarmView alarm, ScreenWorld world, CancellationToken cancellationToken);
}

public sealed class AlarmEvidenceService(IDbContextFactory<CityOpsDbContext> dbFactory, ISensorHistory history, TimeProvider time) : IAlarmEvidence
{
    /// <summary>History shown before the raise, so the trend shows how the value got there.</summary>
    public static readonly TimeSpan Before = TimeSpan.FromMinutes(30);

    /// <summary>History shown after the alarm cleared (or up to now while it stands).</summary>
    public static readonly TimeSpan After = TimeSpan.FromMinutes(10);

    public async Task<AlarmEvidence?> BuildAsync(AlarmView alarm, ScreenWorld world, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var definition = await db.AlertRuleVersions.AsNoTracking()
            .Where(v => v.RuleKey == alarm.RuleKey && v.Version == alarm.RuleVersion)
            .Select(v => v.Definition)
            .FirstOrDefaultAsync(cancellationToken);
        if (definition is null)
        {
            return null;
        }
        var state = await db.ModelStates.AsNoTracking()
            .Where(m => m.RuleKey == alarm.RuleKey && m.SourceKey == alarm.SourceKey)
            .Select(m => m.State)
            .FirstOrDefaultAsync(cancellationToken);
        var zone = world.Sites.FirstOrDefault(s => s.Key == alarm.SiteKey)?.TimeZone ?? TimeZoneInfo.Utc;
        var (from, to) = Window(alarm);
        if (definition.Model is MultivariateParameters multivariate)
        {
            var asset = world.Assets.FirstOrDefault(a => a.Key == alarm.AssetKey);
            var members = new List<(SensorContext, IReadOnlyList<EvidencePoint>)>();
            foreach (var metric in multivariate.Metrics)
            {
                if (asset?.Sensors.FirstOrDefault(s => s.Metric == metric) is { } sensor)
                {
                    members.Add((Context(sensor, zone), await ReadAsync(sensor, from, to, cancellationToken)));
                }
            }
            return EvidenceBuilder.Build(new EvidenceInput(multivariate, null, alarm.RaisedAt, alarm.PredictedAt, from, to, [], state, members));
        }
        var watched = alarm.SensorKey is { } key ? world.Assets.SelectMany(a => a.Sensors).FirstOrDefault(s => s.Key == key) : null;
        if (watched is null)
        {
            return null;
        }
        // A forecast is replayed from history before the raise: its warm-up, and as long again for the error estimate to settle.
        var readFrom = definition.Model is ForecastParameters f ? Min(from, alarm.RaisedAt - 2 * TimeSpan.FromMinutes(f.WarmupMinutes)) : from;
        var readings = await ReadAsync(watched, readFrom, to, cancellationToken);
        return EvidenceBuilder.Build(new EvidenceInput(definition.Model, Context(watched, zone), alarm.RaisedAt, alarm.PredictedAt, from, to, readings, state));
    }

    /// <summary>From <see cref="Before"/> the raise to <see cref="After"/> the clear, but not beyond now.</summary>
    public (DateTime From, DateTime To) Window(AlarmView alarm)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var end = (alarm.ClearedAt ?? now) + After;
        return (alarm.RaisedAt - Before, end > now ? now : end);
    }

    private async Task<IReadOnlyList<EvidencePoint>> ReadAsync(ScreenSensor sensor, DateTime from, DateTime to, CancellationToken cancellationToken)
    {
        if (to <= from)
        {
            return [];
        }
        var series = (await history.ReadAsync(sensor.Id, from, to, cancellationToken)).Series;
        var points = new EvidencePoint[series.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new EvidencePoint(DateTime.UnixEpoch.AddSeconds(series.Timestamps[i]), series.Values[i]);
        }
        return points;
    }

    private static SensorContext Context(ScreenSensor s, TimeZoneInfo zone) =>
        new(s.Key, s.Metric, s.Unit, s.Min, s.Max, TimeSpan.FromSeconds(s.IntervalSeconds), zone);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
