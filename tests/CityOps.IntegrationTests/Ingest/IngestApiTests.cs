using System.Net;
using System.Text;
using System.Text.Json;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Ingest;
using Npgsql;
using static CityOps.IntegrationTests.Ingest.IngestTestHost;

namespace CityOps.IntegrationTests.Ingest;

public sealed class IngestApiTests(PostgresFixture pg) : IAsyncLifetime
{
    private IngestTestHost _host = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _host = await StartAsync(await pg.CreateDatabaseAsync(),
        new Dictionary<string, string?> { ["Ingest:MaxItemsPerRequest"] = "50", ["Ingest:MaxRequestBodyBytes"] = "20000" });

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private static DateTimeOffset BaseTime => new(DateTime.UtcNow.AddHours(-3).Ticks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);

    [Fact]
    public async Task PostReadings_ValidBatch_StoredAndServedAsSeries()
    {
        var t0 = BaseTime;
        var client = _host.Client(_host.BothKey);
        var response = await client.PostAsync("/api/v1/readings",
            Json(Batch((Temperature, t0, 20), (Temperature, t0.AddSeconds(10), 22), (Temperature, t0.AddMinutes(1), 30), (Pressure, t0, 2.5))), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal(4, body.GetProperty("accepted").GetInt32());
        Assert.Empty(body.GetProperty("rejected").EnumerateArray());

        // Readable as soon as acknowledged, whether the rollup worker has stored them in readings yet or not.
        var range = $"from={Uri.EscapeDataString(t0.AddMinutes(-1).ToString("O"))}&to={Uri.EscapeDataString(t0.AddHours(1).ToString("O"))}";
        var raw = await ReadJsonAsync(await client.GetAsync($"/api/v1/sensors/{Temperature}/series?{range}&step=raw", Ct));
        Assert.Equal([20.0, 22.0, 30.0], raw.EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal(t0.UtcDateTime, raw[0].GetProperty("ts").GetDateTime().ToUniversalTime());
        await _host.FlushRollupsAsync();
        Assert.Equal(4L, await _host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        raw = await ReadJsonAsync(await client.GetAsync($"/api/v1/sensors/{Temperature}/series?{range}&step=raw", Ct));
        Assert.Equal([20.0, 22.0, 30.0], raw.EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));

        var minutes = await ReadJsonAsync(await client.GetAsync($"/api/v1/sensors/{Temperature}/series?{range}&step=1m", Ct));
        Assert.Equal(2, minutes.GetArrayLength());
        Assert.Equal(2, minutes[0].GetProperty("count").GetInt64());
        Assert.Equal(21.0, minutes[0].GetProperty("mean").GetDouble());
        Assert.Equal(20.0, minutes[0].GetProperty("min").GetDouble());
        Assert.Equal(22.0, minutes[0].GetProperty("max").GetDouble());

        var hours = await ReadJsonAsync(await client.GetAsync($"/api/v1/sensors/{Temperature}/series?{range}&step=1h", Ct));
        Assert.Equal(1, hours.GetArrayLength());
        Assert.Equal(3, hours[0].GetProperty("count").GetInt64());
        Assert.Equal(24.0, hours[0].GetProperty("mean").GetDouble());
    }

    [Fact]
    public async Task PostReadings_InvalidItems_RejectedWithReasonsWhileOthersStored()
    {
        var t0 = BaseTime;
        var json = $$"""
            [
              {"sensor": "{{Temperature}}", "ts": "{{t0:O}}", "value": 21.5},
              {"sensor": "no.such.sensor", "ts": "{{t0:O}}", "value": 1},
              {"sensor": "{{Temperature}}", "ts": "{{t0.AddSeconds(1):O}}", "value": "NaN"},
              {"sensor": "{{Pressure}}", "ts": "{{t0:O}}", "value": 99},
              {"sensor": "{{Temperature}}", "ts": "{{DateTimeOffset.UtcNow.AddMinutes(30):O}}", "value": 20},
              {"sensor": "{{Temperature}}", "ts": "{{DateTimeOffset.UtcNow.AddDays(-31):O}}", "value": 20},
              {"sensor": "{{Temperature}}", "ts": "{{t0:O}}", "value": 22},
              {"sensor": "{{Pressure}}", "ts": "{{t0.AddSeconds(2):O}}", "value": 1, "unit": "°C"},
              {"sensor": "{{Temperature}}", "ts": "{{t0.AddSeconds(3):O}}", "value": 212, "unit": "degF"},
              {"sensor": "{{Pressure}}", "ts": "{{t0.AddSeconds(3):O}}", "value": 150, "unit": "kPa"},
              {"sensor": "{{Temperature}}", "ts": "2026-01-01T10:00:00", "value": 20},
              {"sensor": "{{Temperature}}", "ts": "{{t0.AddSeconds(4):O}}", "value": 1e400},
              {"sensor": "{{No2}}", "ts": "{{t0:O}}", "value": 10, "unit": "ppb"},
              {"ts": "{{t0:O}}", "value": 10}
            ]
            """;
        var response = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings", Json(json), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await ReadJsonAsync(response);
        var reasons = body.GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("reason").GetString()!);
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13], reasons.Keys.Order());
        Assert.Contains("Unknown sensor 'no.such.sensor'", reasons[1]);
        Assert.Contains("not a finite number", reasons[2]);
        Assert.Contains("outside the physical range", reasons[3]);
        Assert.Contains("too far in the future", reasons[4]);
        Assert.Contains("older than the raw-data retention", reasons[5]);
        Assert.Contains("Duplicate reading", reasons[6]);
        Assert.Contains("cannot be converted", reasons[7]);
        Assert.Contains("no UTC offset", reasons[10]);
        Assert.Contains("not a finite number", reasons[11]);
        Assert.Contains("cannot be converted", reasons[12]);
        Assert.Contains("no \"sensor\"", reasons[13]);
        await _host.FlushRollupsAsync();
        Assert.Equal(100.0, await _host.ScalarAsync<double>("SELECT value FROM readings WHERE sensor_id = $1 AND ts = $2",
            _host.SensorId(Temperature), t0.AddSeconds(3).UtcDateTime), 9);
        Assert.Equal(1.5, await _host.ScalarAsync<double>("SELECT value FROM readings WHERE sensor_id = $1 AND ts = $2",
            _host.SensorId(Pressure), t0.AddSeconds(3).UtcDateTime), 9);
        Assert.Equal(3L, await _host.ScalarAsync<long>("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task PostReadings_MalformedJson_400WithLineAndPosition()
    {
        var response = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings",
            Json("[\n  {\"sensor\": \"a\", \"ts\": \"2026-01-01T00:00:00Z\", \"value\": 1},\n  {\"sensor\": \"b\" \"ts\": 1}\n]"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadJsonAsync(response);
        Assert.Equal(3, problem.GetProperty("line").GetInt64());
        Assert.Contains("line 3", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostReadings_BodyNotAnArray_400()
    {
        var response = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings", Json("{\"sensor\": \"a\"}"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("JSON array", (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostReadings_WithoutKey_401Problem()
    {
        var response = await _host.Client(null).PostAsync("/api/v1/readings", Json("[]"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PostReadings_UnknownKey_401()
    {
        var response = await _host.Client("co_AAAAAAAA_" + new string('b', 32)).PostAsync("/api/v1/readings", Json("[]"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task PostReadings_RevokedOrExpiredKey_401()
    {
        var keys = _host.Service<ApiKeyService>();
        var revoked = await keys.CreateAsync("revoked", ApiKeyScopes.Ingest, cancellationToken: Ct);
        Assert.True(await keys.RevokeAsync(revoked.Id, Ct));
        var expired = await keys.CreateAsync("expired", ApiKeyScopes.Ingest, DateTime.UtcNow.AddMinutes(-1), Ct);

        var revokedResponse = await _host.Client(revoked.Secret).PostAsync("/api/v1/readings", Json("[]"), Ct);
        var expiredResponse = await _host.Client(expired.Secret).PostAsync("/api/v1/readings", Json("[]"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, revokedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expiredResponse.StatusCode);
    }

    [Fact]
    public async Task PostReadings_ReadOnlyKey_403()
    {
        var response = await _host.Client(_host.ReadKey).PostAsync("/api/v1/readings", Json("[]"), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task PostReadings_BearerToken_Accepted()
    {
        var client = _host.Client(null);
        client.DefaultRequestHeaders.Authorization = new("Bearer", _host.IngestKey);

        var response = await client.PostAsync("/api/v1/readings", Json(Batch((Flow, BaseTime, 10))), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task PostReadings_BodyLargerThanLimit_413()
    {
        var items = Enumerable.Range(0, 40).Select(i => (Temperature, BaseTime.AddSeconds(i), 20.0 + i)).ToArray();
        var json = Batch(items).Replace(",\"value\"", ",\"padding\":\"" + new string('x', 500) + "\",\"value\"");

        var response = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings", Json(json), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await _host.FlushRollupsAsync();
        Assert.Equal(0L, await _host.ScalarAsync<long>("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task PostReadings_MoreItemsThanLimit_413()
    {
        var items = Enumerable.Range(0, 51).Select(i => (Temperature, BaseTime.AddSeconds(i), 20.0)).ToArray();

        var response = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings", Json(Batch(items)), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 50", (await ReadJsonAsync(response)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task PostReadings_WrongContentType_415()
    {
        var response = await _host.Client(_host.IngestKey).PostAsync("/api/v1/readings",
            new StringContent("sensor,ts,value", Encoding.UTF8, "text/csv"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task PostReadings_SameIdempotencyKey_SameAnswerStoredOnce()
    {
        var t0 = BaseTime;
        var json = Batch((Temperature, t0, 20), ("unknown", t0, 1), (Temperature, t0.AddSeconds(1), 21));
        var client = _host.Client(_host.IngestKey);

        async Task<(HttpStatusCode, string)> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/readings") { Content = Json(json) };
            request.Headers.Add("Idempotency-Key", "batch-42");
            var response = await client.SendAsync(request, Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var concurrent = await Task.WhenAll(SendAsync(), SendAsync());
        var retry = await SendAsync();

        Assert.All(concurrent.Append(retry), r => Assert.Equal(HttpStatusCode.Accepted, r.Item1));
        var first = JsonDocument.Parse(concurrent[0].Item2).RootElement;
        Assert.Equal(2, first.GetProperty("accepted").GetInt32());
        Assert.All(concurrent.Append(retry), r => Assert.Equal(
            JsonSerializer.Serialize(first), JsonSerializer.Serialize(JsonDocument.Parse(r.Item2).RootElement)));
        await _host.FlushRollupsAsync();
        Assert.Equal(2L, await _host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        await _host.FlushRollupsAsync();
        Assert.Equal(2L, await _host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1m"));
        Assert.Equal(1L, await _host.ScalarAsync<long>("SELECT count(*) FROM ingest_requests"));
    }

    [Fact]
    public async Task PostReadings_KeyReusedWithOtherReadings_FirstAnswerReplayedAndNothingMoreStored()
    {
        // The second request's readings are new, so its COPY succeeds; its claim of the key fails at COMMIT, and the
        // batch is written again the careful way, which replays the first answer and stores nothing.
        var t0 = BaseTime;
        var client = _host.Client(_host.IngestKey);

        async Task<(HttpStatusCode, string)> SendAsync(string json)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/readings") { Content = Json(json) };
            request.Headers.Add("Idempotency-Key", "reused-7");
            var response = await client.SendAsync(request, Ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var first = await SendAsync(Batch((Temperature, t0, 20)));
        var reused = await SendAsync(Batch((Temperature, t0.AddSeconds(5), 25), (Pressure, t0.AddSeconds(5), 2)));

        Assert.Equal(HttpStatusCode.Accepted, first.Item1);
        Assert.Equal(HttpStatusCode.Accepted, reused.Item1);
        Assert.Equal(first.Item2, reused.Item2);
        Assert.Equal(1, JsonDocument.Parse(reused.Item2).RootElement.GetProperty("accepted").GetInt32());
        await _host.FlushRollupsAsync();
        Assert.Equal(1L, await _host.ScalarAsync<long>("SELECT count(*) FROM readings"));
        Assert.Equal(1L, await _host.ScalarAsync<long>("SELECT sum(count)::bigint FROM rollup_1m"));
        Assert.Equal(0L, await _host.ScalarAsync<long>("SELECT count(*) FROM rollup_delta"));
    }

    [Fact]
    public async Task PostReadings_QueueFull_503WithRetryAfter()
    {
        await using var host = await StartAsync(await pg.CreateDatabaseAsync(),
            new Dictionary<string, string?> { ["Ingest:QueueCapacity"] = "10" });
        var client = host.Client(host.IngestKey);
        var t0 = BaseTime;
        // Hold the writer inside its first transaction by locking a table it must write.
        await using var blocker = new NpgsqlConnection(host.ConnectionString);
        await blocker.OpenAsync(Ct);
        await using var tx = await blocker.BeginTransactionAsync(Ct);
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE rollup_delta IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await lockCmd.ExecuteNonQueryAsync(Ct);
        }

        var first = client.PostAsync("/api/v1/readings", Json(Batch((Temperature, t0, 1))), Ct);
        // The writer waits on its delta of the batch; the rollup worker (same application name) may be waiting too.
        await Wait.UntilAsync(async () => await host.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cityops-ingest' " +
            "AND wait_event_type = 'Lock' AND ltrim(query) LIKE 'INSERT INTO rollup_delta%'") == 1);
        var queued = client.PostAsync("/api/v1/readings",
            Json(Batch(Enumerable.Range(1, 10).Select(i => (Temperature, t0.AddSeconds(i), 1.0)).ToArray())), Ct);
        var queue = host.Service<IngestQueue>();
        await Wait.UntilAsync(() => Task.FromResult(queue.Depth == 10));

        var refused = await client.PostAsync("/api/v1/readings", Json(Batch((Pressure, t0, 1))), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        await tx.RollbackAsync(Ct);
        Assert.Equal(HttpStatusCode.Accepted, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await queued).StatusCode);
        await host.FlushRollupsAsync();
        Assert.Equal(11L, await host.ScalarAsync<long>("SELECT count(*) FROM readings"));
    }

    [Fact]
    public async Task SubmitAsync_InProcessReadings_StoredLikeHttp()
    {
        var service = _host.Service<IngestService>();

        var outcome = await service.SubmitAsync(
            [new ReadingInput(Power, BaseTime, 1500, "W"), new ReadingInput(Power, BaseTime.AddSeconds(5), double.PositiveInfinity)],
            _host.IngestKeyId, null, Ct);

        Assert.Equal(1, outcome.Accepted);
        Assert.Equal(1, Assert.Single(outcome.Rejected).Index);
        await _host.FlushRollupsAsync();
        Assert.Equal(1.5, await _host.ScalarAsync<double>("SELECT value FROM readings"), 9);
    }
}
