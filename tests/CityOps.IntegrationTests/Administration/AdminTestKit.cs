using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text;
using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Accounts;

namespace CityOps.IntegrationTests.Administration;

public static class AdminTestKit
{
    public const string AdminEmail = "chief@example.org";
    public const string AdminPassword = "Chief-password-42";

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The app outside demo mode with one configured administrator who can sign in.</summary>
    public static CityOpsAppFactory App(string connectionString) =>
        new(connectionString, new Dictionary<string, string?> { ["Admin:Email"] = AdminEmail, ["Admin:Password"] = AdminPassword });

    /// <summary>A signed-in principal as the services see it (no cookie round trip).</summary>
    public static ClaimsPrincipal User(string name, string role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], "test"));

    public static ClaimsPrincipal Admin(string name = AdminEmail) => User(name, Roles.Administrator);

    public static async Task<HttpClient> SignedInClientAsync(CityOpsAppFactory app, string email = AdminEmail, string password = AdminPassword)
    {
        var client = app.CreateBrowserLikeClient();
        var response = await AccountClient.SignInAsync(client, email, password);
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location?.OriginalString != "/")
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode} {response.Headers.Location}");
        }
        return client;
    }
}

/// <summary>One mail as the SMTP sink received it.</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Data);

/// <summary>
/// A minimal SMTP server on a free local port: speaks enough of RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
/// for a client to deliver mail, without TLS or authentication, and keeps what it received.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public SmtpSink()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptAsync();
    }

    public int Port { get; }

    public ConcurrentQueue<ReceivedMail> Received { get; } = new();

    public async Task<ReceivedMail> WaitForMailAsync(int count = 1)
    {
        await Wait.UntilAsync(() => Task.FromResult(Received.Count >= count), TimeSpan.FromSeconds(30), $"{count} mail(s) at the SMTP sink");
        return Received.ElementAt(count - 1);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 sink.test ESMTP ready");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-sink.test");
                        await writer.WriteLineAsync("250-8BITMIME");
                        await writer.WriteLineAsync("250 SIZE 10485760");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 sink.test");
                        break;
                    case "MAIL":
                        from = Address(line);
                        to.Clear();
                        await writer.WriteLineAsync("250 2.1.0 Ok");
                        break;
                    case "RCPT":
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 2.1.5 Ok");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }
                        Received.Enqueue(new ReceivedMail(from ?? "", [.. to], data.ToString()));
                        await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                        break;
                    case "RSET":
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 Ok");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
            }
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>');
        return start >= 0 && end > start ? line[(start + 1)..end] : "";
    }
}

/// <summary>One request as the webhook sink received it.</summary>
public sealed record ReceivedHook(byte[] Body, string? Signature, string? ContentType);

/// <summary>A local HTTP endpoint playing the webhook receiver; answers each request with the next status of <c>answers</c> (then the last).</summary>
public sealed class WebhookSink : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private int _requests;

    public WebhookSink(params HttpStatusCode[] answers)
    {
        answers = answers.Length == 0 ? [HttpStatusCode.OK] : answers;
        Url = $"http://127.0.0.1:{KestrelApp.FreePort()}/hooks/cityops/";
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
                var n = Interlocked.Increment(ref _requests);
                var answer = answers[Math.Min(n, answers.Length) - 1];
                if ((int)answer < 300)
                {
                    Received.Enqueue(new ReceivedHook(buffer.ToArray(), context.Request.Headers["X-CityOps-Signature"], context.Request.ContentType));
                }
                context.Response.StatusCode = (int)answer;
                context.Response.Close();
            }
        });
    }

    public string Url { get; }

    /// <summary>Requests answered with success.</summary>
    public ConcurrentQueue<ReceivedHook> Received { get; } = new();

    /// <summary>Every request, answered with success or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public async Task<ReceivedHook> WaitForHookAsync(int count = 1)
    {
        await Wait.UntilAsync(() => Task.FromResult(Received.Count >= count), TimeSpan.FromSeconds(30), $"{count} webhook call(s)");
        return Received.ElementAt(count - 1);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
