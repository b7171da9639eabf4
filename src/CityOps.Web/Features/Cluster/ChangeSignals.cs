using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace CityOps.Web.Features.Cluster;

/// <summary>
/// The topics nodes tell each other about. A payload names what changed (a key id, a rule key); an empty payload
/// means "reload everything of this kind", which is also what every subscriber receives after the listener lost
/// its connection and may have missed notifications.
/// </summary>
public static class ChangeTopics
{
    public const string ApiKeys = "apikeys";
    public const string Registry = "registry";
    public const string Rules = "rules";
    public const string Settings = "settings";
    public const string Users = "users";
}

/// <summary>
/// Tells every CityOps node sharing the database that something administrators changed, through PostgreSQL
/// LISTEN/NOTIFY (the one thing every node already shares), so caches and running engines follow at once:
/// a revoked key stops working on every node, not after a cache expires.
/// Handlers on the publishing node run before <see cref="PublishAsync"/> returns; other nodes run theirs when the
/// notification arrives (milliseconds). After a lost connection every handler is called with an empty payload.
/// </summary>
public sealed class ChangeSignals(NpgsqlDataSource dataSource, ILogger<ChangeSignals> logger) : BackgroundService
{
    internal const string Channel = "cityops_changes";
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, ImmutableHandlers> _handlers = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>This node's id; notifications it sent itself are not delivered twice.</summary>
    public Guid NodeId { get; } = Guid.NewGuid();

    /// <summary>Completes once the listener is connected (tests wait on it before publishing from another node).</summary>
    public Task Listening => _listening.Task;

    /// <summary>Runs <paramref name="handler"/> for every change of <paramref name="topic"/> on any node; dispose to stop.</summary>
    public IDisposable Subscribe(string topic, Func<string, CancellationToken, Task> handler)
    {
        _handlers.AddOrUpdate(topic, _ => new([handler]), (_, h) => new([.. h.List, handler]));
        return new Subscription(this, topic, handler);
    }

    /// <summary>Runs this node's handlers, then notifies the other nodes. Call it after the change is committed.</summary>
    public async Task PublishAsync(string topic, string payload = "", CancellationToken cancellationToken = default)
    {
        await DeliverAsync(topic, payload, cancellationToken);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
            command.Parameters.Add(new NpgsqlParameter { Value = Channel });
            command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(new Message(NodeId, topic, payload)) });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            // The change itself is committed; other nodes resynchronise when their listeners reconnect.
            logger.LogWarning(e, "Could not notify other nodes of a {Topic} change", topic);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var firstConnection = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                if (!firstConnection)
                {
                    // Notifications sent while we were away are lost: have everyone reload.
                    foreach (var topic in _handlers.Keys)
                    {
                        await DeliverAsync(topic, "", stoppingToken);
                    }
                }
                firstConnection = false;
                _listening.TrySetResult();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Change listener lost its database connection; reconnecting");
                try
                {
                    await Task.Delay(ReconnectDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>(e.Payload);
        }
        catch (JsonException)
        {
            return;
        }
        if (message is null || message.Node == NodeId)
        {
            return;
        }
        // Off the connection's thread: a handler may query the database.
        _ = Task.Run(() => DeliverAsync(message.Topic, message.Payload, CancellationToken.None));
    }

    private async Task DeliverAsync(string topic, string payload, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(topic, out var handlers))
        {
            return;
        }
        foreach (var handler in handlers.List)
        {
            try
            {
                await handler(payload, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "A {Topic} change handler failed", topic);
            }
        }
    }

    private void Unsubscribe(string topic, Func<string, CancellationToken, Task> handler) =>
        _handlers.AddOrUpdate(topic, _ => new([]), (_, h) => new([.. h.List.Where(x => x != handler)]));

    private sealed record Message(Guid Node, string Topic, string Payload);

    private sealed record ImmutableHandlers(Func<string, CancellationToken, Task>[] List);

    private sealed class Subscription(ChangeSignals owner, string topic, Func<string, CancellationToken, Task> handler) : IDisposable
    {
        public void Dispose() => owner.Unsubscribe(topic, handler);
    }
}

public static class ClusterExtensions
{
    public static void AddCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ChangeSignals>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeSignals>());
    }
}
