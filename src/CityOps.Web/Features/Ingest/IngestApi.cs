using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Security.Claims;
using System.Text.Json;
using CityOps.Web.Features.ApiKeys;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CityOps.Web.Features.Ingest;

/// <summary>One item of the request body, for the API description (the endpoint parses the body itself).</summary>
/// <param name="Sensor">The sensor key, e.g. <c>plant1.line2.press3.motor_temp</c>.</param>
/// <param name="Ts">ISO-8601 timestamp with a UTC offset.</param>
/// <param name="Value">The measured value.</param>
/// <param name="Unit">The unit of <paramref name="Value"/> when it differs from the sensor's; converted when known.</param>
public sealed record ReadingItem(string Sensor, DateTimeOffset Ts, double Value, string? Unit = null);

/// <summary>The HTTP adapter of <see cref="IngestService"/>: <c>POST /api/v1/readings</c>.</summary>
internal static class IngestApi
{
    public const string IdempotencyHeader = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 200;
    private const int MaxKeyChars = 256;
    private const int MaxUnitChars = 32;

    public static void MapReadingsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/readings", PostReadingsAsync)
            .RequireAuthorization(ApiPolicies.Ingest)
            .WithName("PostReadings")
            .WithTags("Ingest")
            .WithSummary("Submit a batch of readings")
            .WithDescription(
                "Stores up to 10,000 readings and answers 202 once they are durably committed. Items that fail validation " +
                "(unknown sensor, non-finite value, outside the sensor's physical range, timestamp more than 5 minutes in " +
                "the future or older than the raw retention, unit that cannot be converted, duplicate in the batch) are listed " +
                "under 'rejected' and never fail the others. Send an Idempotency-Key header to make retries safe: a repeated " +
                "key is answered like the first request and stores nothing. Authenticate with an API key that has the ingest scope.")
            .Accepts<ReadingItem[]>("application/json")
            .Produces<IngestOutcome>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<IResult> PostReadingsAsync(
        HttpContext context, IngestService service, IOptionsMonitor<IngestOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.CurrentValue;
        if (!IsJson(context.Request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"The body must be JSON (Content-Type: application/json), not '{context.Request.ContentType}'.");
        }
        if (context.Request.ContentLength > limits.MaxRequestBodyBytes)
        {
            return TooLarge(limits);
        }
        var idempotencyKey = context.Request.Headers[IdempotencyHeader].ToString();
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid Idempotency-Key",
                $"The Idempotency-Key header may be at most {MaxIdempotencyKeyLength} characters long.");
        }
        if (!Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var apiKeyId))
        {
            return Problem(StatusCodes.Status403Forbidden, "Forbidden", "Readings can only be submitted with an API key.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limits.MaxRequestBodyBytes;
        }

        var body = context.Request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await body.ReadAsync(cancellationToken);
                if (read.Buffer.Length > limits.MaxRequestBodyBytes)
                {
                    body.AdvanceTo(read.Buffer.End);
                    return TooLarge(limits);
                }
                if (read.IsCompleted)
                {
                    break;
                }
                body.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limits);
        }

        BatchValidation validation;
        // A body of more than one pipe segment (any batch over a few kB) is copied into one buffer first: the JSON
        // reader's single-span path is several times cheaper than walking segments for every token.
        byte[]? contiguous = null;
        try
        {
            var buffer = read.Buffer;
            if (!buffer.IsSingleSegment)
            {
                contiguous = ArrayPool<byte>.Shared.Rent((int)buffer.Length);
                buffer.CopyTo(contiguous);
                buffer = new ReadOnlySequence<byte>(contiguous, 0, (int)buffer.Length);
            }
            var parsed = Parse(buffer, service, limits.MaxItemsPerRequest, out validation);
            if (parsed is not null)
            {
                return parsed;
            }
        }
        finally
        {
            body.AdvanceTo(read.Buffer.End);
            if (contiguous is not null)
            {
                ArrayPool<byte>.Shared.Return(contiguous);
            }
        }

        try
        {
            var outcome = await service.SubmitAsync(validation, apiKeyId, idempotencyKey.Length == 0 ? null : idempotencyKey, cancellationToken);
            return Results.Json(outcome, IngestJsonContext.Default.IngestOutcome, statusCode: StatusCodes.Status202Accepted);
        }
        catch (IngestUnavailableException e)
        {
            context.Response.Headers.RetryAfter = Math.Ceiling(e.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Ingest unavailable", e.Message);
        }
    }

    /// <summary>Parses the body straight into a validation, without materialising strings for known keys. Returns an error result, or null.</summary>
    private static IResult? Parse(ReadOnlySequence<byte> buffer, IngestService service, int maxItems, out BatchValidation validation)
    {
        // A rough item count keeps the lists from regrowing: a reading is rarely shorter than 60 bytes.
        validation = service.BeginBatch((int)Math.Min(maxItems, buffer.Length / 60 + 1));
        var json = new Utf8JsonReader(buffer, new JsonReaderOptions { MaxDepth = 16 });
        Span<char> keyChars = stackalloc char[MaxKeyChars];
        Span<char> unitChars = stackalloc char[MaxUnitChars];
        try
        {
            if (!json.Read() || json.TokenType != JsonTokenType.StartArray)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid body", "The body must be a JSON array of readings.");
            }
            var index = 0;
            while (json.Read() && json.TokenType != JsonTokenType.EndArray)
            {
                if (index >= maxItems)
                {
                    return Problem(StatusCodes.Status413PayloadTooLarge, "Too many readings",
                        $"A batch may hold at most {maxItems} readings; split it into several requests.");
                }
                ParseItem(ref json, index, validation, keyChars, unitChars);
                index++;
            }
            // Anything after the array is malformed; the reader throws on it.
            json.Read();
            return null;
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var position = (e.BytePositionInLine ?? 0) + 1;
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Malformed JSON",
                detail: $"The body is not valid JSON at line {line}, byte {position}: {e.Message}",
                extensions: new Dictionary<string, object?> { ["line"] = line, ["bytePositionInLine"] = position });
        }
    }

    private static void ParseItem(ref Utf8JsonReader json, int index, BatchValidation validation, scoped Span<char> keyChars, scoped Span<char> unitChars)
    {
        if (json.TokenType != JsonTokenType.StartObject)
        {
            json.Skip();
            validation.Reject(index, "The item is not a JSON object with \"sensor\", \"ts\" and \"value\".");
            return;
        }
        var keyLength = -1;
        var unitLength = 0;
        DateTimeOffset? ts = null;
        string? tsProblem = null;
        double? value = null;
        string? unitProblem = null;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.ValueTextEquals("sensor"u8))
            {
                json.Read();
                keyLength = json.TokenType == JsonTokenType.String ? CopyString(ref json, keyChars) : -1;
                if (keyLength == -2)
                {
                    validation.Reject(index, "Unknown sensor: the key is longer than any registered key.");
                    SkipRest(ref json);
                    return;
                }
            }
            else if (json.ValueTextEquals("ts"u8))
            {
                json.Read();
                ts = ReadTimestamp(ref json, out tsProblem);
            }
            else if (json.ValueTextEquals("value"u8))
            {
                json.Read();
                value = ReadValue(ref json);
            }
            else if (json.ValueTextEquals("unit"u8))
            {
                json.Read();
                if (json.TokenType == JsonTokenType.String)
                {
                    unitLength = CopyString(ref json, unitChars);
                    if (unitLength < 0)
                    {
                        unitProblem = "The unit is not a known unit.";
                    }
                }
                else if (json.TokenType != JsonTokenType.Null)
                {
                    json.Skip();
                    unitProblem = "\"unit\" must be a string.";
                }
            }
            else
            {
                json.Skip();
            }
            if (json.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                json.Skip();
            }
        }
        if (keyLength < 0)
        {
            validation.Reject(index, "The item has no \"sensor\" key string.");
        }
        else if (ts is null)
        {
            validation.Reject(index, tsProblem ?? "The item has no \"ts\" timestamp.");
        }
        else if (value is null)
        {
            validation.Reject(index, "The item has no numeric \"value\".");
        }
        else if (unitProblem is not null)
        {
            validation.Reject(index, unitProblem);
        }
        else
        {
            validation.Add(index, keyChars[..keyLength], ts.Value, value.Value, unitChars[..unitLength]);
        }
    }

    private static void SkipRest(ref Utf8JsonReader json)
    {
        // Positioned on the "sensor" value inside an object: skip to the object's end.
        var depth = json.CurrentDepth - 1;
        while (json.Read() && !(json.TokenType == JsonTokenType.EndObject && json.CurrentDepth == depth))
        {
        }
    }

    /// <summary>Copies a string token into <paramref name="destination"/>; -2 when it does not fit.</summary>
    private static int CopyString(ref Utf8JsonReader json, scoped Span<char> destination)
    {
        var maxBytes = json.HasValueSequence ? json.ValueSequence.Length : json.ValueSpan.Length;
        // UTF-8 never has fewer bytes than UTF-16 chars, so a short raw value always fits.
        if (maxBytes > destination.Length * 3)
        {
            return -2;
        }
        try
        {
            return json.CopyString(destination);
        }
        catch (ArgumentException)
        {
            return -2;
        }
    }

    private static DateTimeOffset? ReadTimestamp(ref Utf8JsonReader json, out string? problem)
    {
        problem = null;
        if (json.TokenType != JsonTokenType.String)
        {
            problem = "\"ts\" must be a string with an ISO-8601 date and time and a UTC offset.";
            return null;
        }
        if (!json.TryGetDateTimeOffset(out var ts))
        {
            problem = $"Timestamp '{json.GetString()}' is not an ISO-8601 date and time with a UTC offset.";
            return null;
        }
        var hasOffset = json.HasValueSequence || json.ValueIsEscaped
            ? HasOffset(System.Text.Encoding.UTF8.GetBytes(json.GetString()!))
            : HasOffset(json.ValueSpan);
        if (!hasOffset)
        {
            problem = $"Timestamp '{json.GetString()}' has no UTC offset; add 'Z' or an offset such as '+01:00'.";
            return null;
        }
        return ts;
    }

    private static bool HasOffset(ReadOnlySpan<byte> s) =>
        s.Length >= 6 && (s[^1] is (byte)'Z' or (byte)'z' || (s[^6] is (byte)'+' or (byte)'-' && s[^3] == (byte)':'));

    private static double? ReadValue(ref Utf8JsonReader json)
    {
        switch (json.TokenType)
        {
            case JsonTokenType.Number:
                // Only a number too large for a double fails here; it is rejected as not finite.
                return json.TryGetDouble(out var v) ? v : double.PositiveInfinity;
            case JsonTokenType.String when json.ValueTextEquals("NaN"u8):
                return double.NaN;
            case JsonTokenType.String when json.ValueTextEquals("Infinity"u8):
                return double.PositiveInfinity;
            case JsonTokenType.String when json.ValueTextEquals("-Infinity"u8):
                return double.NegativeInfinity;
            default:
                json.Skip();
                return null;
        }
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    private static IResult TooLarge(IngestOptions limits) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large",
            $"The body may be at most {limits.MaxRequestBodyBytes} bytes; split the readings into several requests.");

    internal static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}
