using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CityOps.Analytics.Alerts;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Actions;
using CityOps.Web.Features.ApiKeys;
using CityOps.Web.Features.Assets;
using Microsoft.Extensions.DependencyInjection;
using static CityOps.IntegrationTests.Actions.ActionsTestKit;

namespace CityOps.IntegrationTests.Actions;

/// <summary>Real equipment through the webhook channel: a local HTTP listener plays the gateway. No process model here.</summary>
public sealed class WebhookCommandTests(PostgresFixture pg)
{
    private const string Secret = "gateway-shared-secret";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AcceptSuggestion_WebhookGateway_ReceivesASignedCommandAndItsAcknowledgementsApplyIt()
    {
        await using var gateway = new Gateway(HttpStatusCode.Accepted);
        await using var app = await StartAsync(gateway, timeout: null);
        var view = await RaiseAndWaitAsync(app.Services, Alarm(201, "tcity.north.x1", "tcity.north.x1.occupancy", AlarmPriority.High), ExtendGreenPlaybook.PlaybookKey);
        // Without a process model the suggestion says so instead of inventing a prediction.
        Assert.Null(view.Effect);
        Assert.StartsWith("No prediction available", view.Suggestion.Note);
        Assert.Equal(40, view.Suggestion.ProposedValue);

        var requested = await app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", Ct);
        var sent = await WaitForCommandAsync(app.Services, requested.Id, c => c.Status != CommandStatus.Pending, "the command to be sent");

        Assert.Equal(CommandStatus.Sent, sent.Status);
        var delivered = Assert.Single(gateway.Received);
        Assert.Equal(Sign(delivered.Body), delivered.Signature);
        using var body = JsonDocument.Parse(delivered.Body);
        Assert.Equal(requested.Id, body.RootElement.GetProperty("commandId").GetInt64());
        Assert.Equal("tcity.north.x1.green", body.RootElement.GetProperty("actuatorKey").GetString());
        Assert.Equal(40, body.RootElement.GetProperty("value").GetDouble());

        var device = await DeviceClientAsync(app, ApiKeyScopes.Ingest);
        var acknowledged = await device.PostAsJsonAsync($"/api/v1/commands/{requested.Id}/ack", new { status = "Acknowledged" }, Ct);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        var applied = await device.PostAsJsonAsync($"/api/v1/commands/{requested.Id}/ack", new { status = "Applied" }, Ct);
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal("Applied", (await applied.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("status").GetString());

        var command = await WaitForCommandAsync(app.Services, requested.Id, c => c.IsFinal, "the applied command");
        Assert.Equal(CommandStatus.Applied, command.Status);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<CityOps.Web.Data.CityOpsDbContext>();
            Assert.Equal(40, db.Actuators.Single(a => a.Key == "tcity.north.x1.green").CurrentValue);
        }
        Assert.Contains("command.applied", await AuditActionsAsync(app.Services));

        // A report for a finished command conflicts; an unknown command is not found; a read-only key may not report.
        Assert.Equal(HttpStatusCode.Conflict, (await device.PostAsJsonAsync($"/api/v1/commands/{requested.Id}/ack", new { status = "Failed" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await device.PostAsJsonAsync("/api/v1/commands/999999/ack", new { status = "Applied" }, Ct)).StatusCode);
        var reader = await DeviceClientAsync(app, ApiKeyScopes.Read);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync($"/api/v1/commands/{requested.Id}/ack", new { status = "Applied" }, Ct)).StatusCode);
    }

    [Fact]
    public async Task SentCommand_NoAcknowledgementInTime_TimesOut()
    {
        await using var gateway = new Gateway(HttpStatusCode.Accepted);
        await using var app = await StartAsync(gateway, timeout: "00:00:01");
        var view = await RaiseAndWaitAsync(app.Services, Alarm(202, "tplant.line1.press", "tplant.line1.press.temp", AlarmPriority.High), ReduceLineSpeedPlaybook.PlaybookKey);

        var requested = await app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", Ct);
        var finished = await WaitForCommandAsync(app.Services, requested.Id, c => c.IsFinal, "the command to time out");

        Assert.Equal(CommandStatus.TimedOut, finished.Status);
        Assert.Contains("did not report the command acknowledged", finished.Error);
        Assert.Single(gateway.Received);
        Assert.Contains("command.timed_out", await AuditActionsAsync(app.Services));
    }

    [Fact]
    public async Task SendCommand_GatewayRefuses_FailsWithTheGatewaysAnswer()
    {
        await using var gateway = new Gateway(HttpStatusCode.ServiceUnavailable);
        await using var app = await StartAsync(gateway, timeout: null);
        var view = await RaiseAndWaitAsync(app.Services, Alarm(203, "tcity.north.x1", "tcity.north.x1.occupancy", AlarmPriority.High), ExtendGreenPlaybook.PlaybookKey);

        var requested = await app.Services.GetRequiredService<SuggestionService>().AcceptAsync(view.Suggestion.Id, "operator@example.org", Ct);
        var finished = await WaitForCommandAsync(app.Services, requested.Id, c => c.IsFinal, "the command to fail");

        Assert.Equal(CommandStatus.Failed, finished.Status);
        Assert.Contains("HTTP 503", finished.Error);
    }

    private async Task<CityOpsAppFactory> StartAsync(Gateway gateway, string? timeout)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Actions:Channel"] = "Webhook",
            ["Actions:Webhook:Url"] = gateway.Url,
            ["Actions:Webhook:Secret"] = Secret,
        };
        if (timeout is not null)
        {
            settings["Actions:CommandTimeout"] = timeout;
        }
        var app = new CityOpsAppFactory(await pg.CreateDatabaseAsync(), settings);
        await app.Services.GetRequiredService<WorldRegistration>().RegisterAsync(TestWorld.Create(), Ct);
        return app;
    }

    private static async Task<HttpClient> DeviceClientAsync(CityOpsAppFactory app, ApiKeyScopes scopes)
    {
        var key = await app.Services.GetRequiredService<ApiKeyService>().CreateAsync($"gateway-{scopes}", scopes, cancellationToken: Ct);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key.Secret);
        return client;
    }

    private static string Sign(byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));

    private sealed record Delivered(byte[] Body, string? Signature);

    /// <summary>The equipment gateway: records each POST and answers with a fixed status.</summary>
    private sealed class Gateway : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public Gateway(HttpStatusCode answer)
        {
            var port = KestrelApp.FreePort();
            Url = $"http://127.0.0.1:{port}/commands/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                    using var buffer = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(buffer);
                    Received.Add(new Delivered(buffer.ToArray(), context.Request.Headers["X-CityOps-Signature"]));
                    context.Response.StatusCode = (int)answer;
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public ConcurrentBag<Delivered> Received { get; } = [];

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            _listener.Close();
            await _loop;
        }
    }
}
