using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CityOps.Simulator.Physics;

namespace CityOps.Simulator.Fleet;

/// <summary>
/// Posts readings to CityOps (<c>POST {target}/api/v1/readings</c>) the way a device gateway would: in batches, several
/// requests in flight, each batch with its own <c>Idempotency-Key</c> so retries are safe, retrying 503/429/5xx (honouring
/// <c>Retry-After</c>) and transport errors with exponential backoff. Built for throughput: one pooled connection set,
/// each sender serialises straight into its own reused buffer, no per-reading allocations.
/// </summary>
/// <remarks>One client may run several sends one after another; it is safe to share across threads.</remarks>
public sealed class FleetClient : IDisposable
{
    private static readonly JsonEncodedText SensorProperty = JsonEncodedText.Encode("sensor");
    private static readonly JsonEncodedText TimestampProperty = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText ValueProperty = JsonEncodedText.Encode("value");
    private const int MaxDistinctReasons = 100;

    private readonly FleetClientOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TimeProvider _time;

    /// <param name="handler">The HTTP stack to use (tests pass an in-memory handler); null creates a
    /// <see cref="SocketsHttpHandler"/> with enough connections for the concurrency. A given handler is not disposed.</param>
    public FleetClient(FleetClientOptions options, HttpMessageHandler? handler = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        var ownsHandler = handler is null;
        handler ??= new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(2 * options.Concurrency, 4),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        _http = new HttpClient(handler, ownsHandler) { Timeout = options.RequestTimeout };
        _endpoint = new Uri(options.Target.AbsoluteUri.TrimEnd('/') + "/api/v1/readings");
    }

    public Uri Endpoint => _endpoint;

    /// <summary>Sends readings already in memory.</summary>
    public Task<FleetStatistics> SendAsync(IReadOnlyList<SimReading> readings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(readings);
        return SendAsync(new BatchReadingSource(readings), cancellationToken);
    }

    /// <summary>
    /// Drains <paramref name="source"/>, returning what was achieved. A cancelled send stops taking new readings,
    /// abandons the requests in flight and returns the statistics so far.
    /// </summary>
    /// <exception cref="FleetAuthenticationException">The server answered 401 or 403.</exception>
    public async Task<FleetStatistics> SendAsync(IReadingSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var started = _time.GetTimestamp();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var shared = new SharedSource(source);
        var senders = new Task<SenderStatistics>[_options.Concurrency];
        for (var i = 0; i < senders.Length; i++)
        {
            var id = i;
            senders[i] = Task.Run(() => RunSenderAsync(id, shared, stop), CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(senders).ConfigureAwait(false);
        }
        catch (FleetAuthenticationException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancellation is how the operator ends an open-ended run; report what got through.
        }

        long accepted = 0, rejected = 0, failed = 0, requests = 0, retries = 0;
        var latencies = new List<TimeSpan>();
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        string? lastError = null;
        foreach (var task in senders)
        {
            if (!task.IsCompletedSuccessfully)
            {
                continue;
            }
            var s = task.Result;
            accepted += s.Accepted;
            rejected += s.Rejected;
            failed += s.Failed;
            requests += s.Requests;
            retries += s.Retries;
            latencies.AddRange(s.Latencies);
            foreach (var (reason, count) in s.Reasons)
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + count;
            }
            lastError = s.LastError ?? lastError;
        }
        return new FleetStatistics(accepted, rejected, failed, requests, retries, _time.GetElapsedTime(started), latencies, reasons, lastError);
    }

    private async Task<SenderStatistics> RunSenderAsync(int id, SharedSource shared, CancellationTokenSource stop)
    {
        var stats = new SenderStatistics(_options.RecordLatencies);
        var readings = new SimReading[_options.BatchSize];
        var body = new ArrayBufferWriter<byte>(_options.BatchSize * 96);
        await using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        var jitter = Noise.Mix((ulong)id + 1);
        try
        {
            while (true)
            {
                var count = await shared.ReadAsync(readings, stop.Token).ConfigureAwait(false);
                if (count == 0)
                {
                    return stats;
                }
                body.ResetWrittenCount();
                writer.Reset(body);
                Serialize(writer, readings.AsSpan(0, count));
                jitter = Noise.Mix(jitter);
                await DeliverAsync(body.WrittenMemory, count, stats, jitter, stop.Token).ConfigureAwait(false);
            }
        }
        catch (FleetAuthenticationException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return stats;
        }
    }

    /// <summary>Writes the wire format: <c>[{"sensor":"…","ts":"…Z","value":…},…]</c>.</summary>
    internal static void Serialize(Utf8JsonWriter writer, ReadOnlySpan<SimReading> readings)
    {
        writer.WriteStartArray();
        foreach (ref readonly var r in readings)
        {
            writer.WriteStartObject();
            writer.WriteString(SensorProperty, r.SensorKey);
            writer.WriteString(TimestampProperty, r.Timestamp.UtcDateTime);
            writer.WriteNumber(ValueProperty, r.Value);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.Flush();
    }

    private async Task DeliverAsync(ReadOnlyMemory<byte> body, int count, SenderStatistics stats, ulong jitter, CancellationToken cancellationToken)
    {
        var idempotencyKey = _options.UseIdempotencyKeys ? Guid.NewGuid().ToString("N") : null;
        for (var attempt = 0; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string error;
            using (var request = new HttpRequestMessage(HttpMethod.Post, _endpoint))
            {
                request.Content = new ReadOnlyMemoryContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation("X-Api-Key", _options.ApiKey);
                if (idempotencyKey is not null)
                {
                    request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
                }
                var sent = _time.GetTimestamp();
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                    stats.Completed(_time.GetElapsedTime(sent));
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                        stats.Answered(answer, count);
                        return;
                    }
                    var detail = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                    error = $"{status} {response.ReasonPhrase}{detail}";
                    if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    {
                        throw new FleetAuthenticationException($"{_endpoint} refused the API key: {error}");
                    }
                    if (!IsTransient(response.StatusCode))
                    {
                        stats.Fail(count, error);
                        return;
                    }
                    retryAfter = RetryAfter(response);
                }
                catch (HttpRequestException ex)
                {
                    stats.Requests++;
                    error = $"transport error: {ex.Message}";
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    stats.Requests++;
                    error = $"no answer within {_options.RequestTimeout.TotalSeconds:0} s";
                }
            }
            if (attempt >= _options.MaxRetries)
            {
                stats.Fail(count, $"{error} (gave up after {attempt + 1} attempts)");
                return;
            }
            stats.Retries++;
            await Task.Delay(retryAfter ?? Backoff(attempt, jitter), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests
        or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout;

    /// <summary>The server's requested pause, capped at <see cref="FleetClientOptions.MaxBackoff"/>.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - _time.GetUtcNow() : null);
        return delay is { } d ? TimeSpan.FromTicks(Math.Clamp(d.Ticks, 0, _options.MaxBackoff.Ticks)) : null;
    }

    /// <summary>Exponential backoff with jitter in [½, 1] of the step, so retrying senders do not stampede together.</summary>
    private TimeSpan Backoff(int attempt, ulong jitter)
    {
        var step = Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks * (1L << Math.Min(attempt, 20)));
        var fraction = 0.5 + 0.5 * Noise.Uniform(jitter, attempt);
        return TimeSpan.FromTicks((long)(step * fraction));
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                var title = problem.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
                var detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
                return $": {title}{(detail is null ? "" : " — " + detail)}";
            }
        }
        catch (JsonException)
        {
            // Not problem+json; show the start of whatever it is.
        }
        return ": " + (text.Length > 200 ? text[..200] : text);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Hands the source to one sender at a time; remembers exhaustion so nobody asks again.</summary>
    private sealed class SharedSource(IReadingSource source)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private bool _exhausted;

        public async ValueTask<int> ReadAsync(Memory<SimReading> buffer, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_exhausted)
                {
                    return 0;
                }
                var n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                _exhausted = n == 0;
                return n;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    private sealed class SenderStatistics(bool recordLatencies)
    {
        public long Accepted;
        public long Rejected;
        public long Failed;
        public long Requests;
        public long Retries;
        public string? LastError;
        public readonly List<TimeSpan> Latencies = [];
        public readonly Dictionary<string, long> Reasons = new(StringComparer.Ordinal);

        public void Completed(TimeSpan latency)
        {
            Requests++;
            if (recordLatencies)
            {
                Latencies.Add(latency);
            }
        }

        public void Fail(int count, string error)
        {
            Failed += count;
            LastError = error;
        }

        /// <summary>Reads <c>{"accepted":n,"rejected":[{"index":i,"reason":"…"}]}</c>; an empty answer means all accepted.</summary>
        public void Answered(byte[] answer, int count)
        {
            if (answer.Length == 0)
            {
                Accepted += count;
                return;
            }
            long? accepted = null;
            var rejected = 0;
            try
            {
                var reader = new Utf8JsonReader(answer);
                var depth = 0;
                string? property = null;
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartObject or JsonTokenType.StartArray:
                            depth++;
                            if (depth == 3 && property == "rejected" && reader.TokenType == JsonTokenType.StartObject)
                            {
                                rejected++;
                            }
                            break;
                        case JsonTokenType.EndObject or JsonTokenType.EndArray:
                            depth--;
                            break;
                        case JsonTokenType.PropertyName when depth == 1:
                            property = reader.GetString();
                            break;
                        case JsonTokenType.Number when depth == 1 && property == "accepted":
                            accepted = reader.GetInt64();
                            break;
                        case JsonTokenType.PropertyName when depth == 3 && reader.ValueTextEquals("reason"u8):
                            reader.Read();
                            var reason = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : "";
                            if (Reasons.ContainsKey(reason) || Reasons.Count < MaxDistinctReasons)
                            {
                                Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
                            }
                            break;
                    }
                }
            }
            catch (JsonException)
            {
                LastError = "the server's answer was not the expected JSON; counted the batch as accepted";
            }
            Accepted += accepted ?? count - rejected;
            Rejected += rejected;
        }
    }
}
