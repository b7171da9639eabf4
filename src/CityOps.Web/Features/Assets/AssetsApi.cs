using System.Globalization;
using System.Text.Json.Serialization;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Ingest;
using Npgsql;

namespace CityOps.Web.Features.Assets;

/// <summary>A sensor as the API lists it; <see cref="Min"/>/<see cref="Max"/> are its physical valid range.</summary>
public sealed record SensorDto(
    string Key, string Site, string Asset, string Metric, string Unit, double Min, double Max, double IntervalSeconds, double? Lat, double? Lon);

/// <summary>A raw reading.</summary>
public sealed record RawPoint(DateTime Ts, double Value);

/// <summary>A rollup bucket starting at <see cref="Ts"/>.</summary>
public sealed record RollupPoint(DateTime Ts, long Count, double Min, double Max, double Mean);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<SensorDto>))]
[JsonSerializable(typeof(List<RawPoint>))]
[JsonSerializable(typeof(List<RollupPoint>))]
internal sealed partial class AssetsJsonContext : JsonSerializerContext;

/// <summary><c>GET /api/v1/sensors</c> and <c>GET /api/v1/sensors/{key}/series</c>.</summary>
internal static class AssetsApi
{
    /// <summary>Most points one raw series answer may hold.</summary>
    public const int MaxRawPoints = 100_000;
    private static readonly TimeSpan MaxRawRange = TimeSpan.FromDays(7);
    private static readonly TimeSpan MaxMinuteRange = TimeSpan.FromDays(62);
    private static readonly TimeSpan MaxHourRange = TimeSpan.FromDays(3660);

    public static void MapSensorEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/sensors").RequireAuthorization(ApiPolicies.Read).WithTags("Sensors");
        api.MapGet("/", ListSensors)
            .WithName("ListSensors")
            .WithSummary("List the registered sensors")
            .WithDescription("Every sensor with its site and asset keys, metric, unit, physical valid range (min/max), reporting interval and location.")
            .Produces<List<SensorDto>>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/{key}/series", GetSeriesAsync)
            .WithName("GetSensorSeries")
            .WithSummary("Read a sensor's time series")
            .WithDescription(
                "Readings in [from, to) (ISO-8601; default: the last hour). step=raw (default) answers {ts, value} per reading, at most " +
                "7 days and 100,000 points; step=1m (at most 62 days) and step=1h (at most 10 years) answer {ts, count, min, max, mean} " +
                "per bucket from the rollups.")
            .Produces<List<RawPoint>>(contentType: "application/json")
            .Produces<List<RollupPoint>>(contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult ListSensors(SensorCatalog catalog)
    {
        var sensors = catalog.All
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new SensorDto(s.Key, s.SiteKey, s.AssetKey, s.Metric.ToString(), s.Unit, s.Min, s.Max, s.IntervalSeconds, s.Latitude, s.Longitude))
            .ToList();
        return Results.Json(sensors, AssetsJsonContext.Default.ListSensorDto);
    }

    private static async Task<IResult> GetSeriesAsync(
        string key, string? from, string? to, string? step,
        SensorCatalog catalog, RawSeriesReader raws, RollupSeriesReader rollups, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(key, out var sensor))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown sensor", detail: $"There is no sensor '{key}'.");
        }
        var end = time.GetUtcNow();
        if (to is not null && !TryParseTime(to, out end))
        {
            return BadRequest($"'to' must be an ISO-8601 date and time, not '{to}'.");
        }
        var start = end.AddHours(-1);
        if (from is not null && !TryParseTime(from, out start))
        {
            return BadRequest($"'from' must be an ISO-8601 date and time, not '{from}'.");
        }
        if (start >= end)
        {
            return BadRequest("'from' must be earlier than 'to'.");
        }
        var range = end - start;
        try
        {
            switch (step ?? "raw")
            {
                case "raw":
                    if (range > MaxRawRange)
                    {
                        return BadRequest($"A raw series may span at most {MaxRawRange.TotalDays} days; use step=1m or step=1h for longer ranges.");
                    }
                    var raw = (await raws.ReadAsync(sensor.Id, start.UtcDateTime, end.UtcDateTime, MaxRawPoints + 1, cancellationToken))
                        .Select(p => new RawPoint(p.Ts, p.Value)).ToList();
                    return raw.Count > MaxRawPoints
                        ? BadRequest($"The range holds more than {MaxRawPoints} readings; narrow it or use step=1m.")
                        : Results.Json(raw, AssetsJsonContext.Default.ListRawPoint);
                case "1m":
                    return range > MaxMinuteRange
                        ? BadRequest($"A 1-minute series may span at most {MaxMinuteRange.TotalDays} days; use step=1h for longer ranges.")
                        : Results.Json(await ReadRollupAsync(rollups, RollupResolution.Minute, sensor.Id, start, end, cancellationToken), AssetsJsonContext.Default.ListRollupPoint);
                case "1h":
                    return range > MaxHourRange
                        ? BadRequest($"An hourly series may span at most {MaxHourRange.TotalDays} days.")
                        : Results.Json(await ReadRollupAsync(rollups, RollupResolution.Hour, sensor.Id, start, end, cancellationToken), AssetsJsonContext.Default.ListRollupPoint);
                default:
                    return BadRequest($"'step' must be raw, 1m or 1h, not '{step}'.");
            }
        }
        catch (Exception e) when (ReadingsDatabase.IsUnavailable(e) && !cancellationToken.IsCancellationRequested)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database unavailable",
                detail: "The readings database cannot be reached; retry later.");
        }
    }

    private static async Task<List<RollupPoint>> ReadRollupAsync(
        RollupSeriesReader rollups, RollupResolution resolution, int sensorId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // Buckets that start in [from, to); a bucket's start is its timestamp.
        var series = await rollups.ReadAsync(sensorId, resolution, from.UtcDateTime, to.UtcDateTime, cancellationToken);
        var points = new List<RollupPoint>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            points.Add(new RollupPoint(series.Buckets[i], series.Counts[i], series.Min[i], series.Max[i], series.Mean[i]));
        }
        return points;
    }

    private static bool TryParseTime(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid series request", detail: detail);
}
