using CityOps.IntegrationTests.Infrastructure;
using CityOps.Web.Features.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CityOps.IntegrationTests.Administration;

public sealed class ChangeSignalsTests(PostgresFixture pg)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublishAsync_OnOneNode_EveryNodesHandlerRunsOnce()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var a = nodes.A.Services.GetRequiredService<ChangeSignals>();
        var b = nodes.B.Services.GetRequiredService<ChangeSignals>();
        var seenOnA = new List<string>();
        var seenOnB = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onA = a.Subscribe("test-topic", (payload, _) =>
        {
            lock (seenOnA)
            {
                seenOnA.Add(payload);
            }
            return Task.CompletedTask;
        });
        using var onB = b.Subscribe("test-topic", (payload, _) =>
        {
            seenOnB.TrySetResult(payload);
            return Task.CompletedTask;
        });

        await a.PublishAsync("test-topic", "key-42", Ct);
        // A's own handler ran inside PublishAsync, before it returned.
        Assert.Equal(["key-42"], seenOnA);
        Assert.Equal("key-42", await seenOnB.Task.WaitAsync(Timeout, Ct));

        // A second publication from B reaches A; A's notification of itself was not delivered a second time.
        var secondOnA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var waitA = a.Subscribe("test-topic", (payload, _) =>
        {
            if (payload == "from-b")
            {
                secondOnA.TrySetResult();
            }
            return Task.CompletedTask;
        });
        await b.PublishAsync("test-topic", "from-b", Ct);
        await secondOnA.Task.WaitAsync(Timeout, Ct);
        lock (seenOnA)
        {
            Assert.Equal(["key-42", "from-b"], seenOnA);
        }
    }

    [Fact]
    public async Task Listener_ConnectionLost_ReconnectsAndTellsEveryHandlerToReloadEverything()
    {
        await using var nodes = await ClusterNodes.StartAsync(pg);
        var a = nodes.A.Services.GetRequiredService<ChangeSignals>();
        var b = nodes.B.Services.GetRequiredService<ChangeSignals>();
        var resync = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var afterReconnect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onB = b.Subscribe("test-topic", (payload, _) =>
        {
            if (payload.Length == 0)
            {
                resync.TrySetResult();
            }
            else if (payload == "after")
            {
                afterReconnect.TrySetResult();
            }
            return Task.CompletedTask;
        });

        // Cut node B's listening connection from the server side, as a failover or network cut would.
        await using (var admin = new NpgsqlConnection(nodes.Database))
        {
            await admin.OpenAsync(Ct);
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'cityops-node-b' AND query = 'LISTEN cityops_changes'", admin);
            Assert.Equal(1L, (long)(await kill.ExecuteScalarAsync(Ct))!);
        }

        await resync.Task.WaitAsync(Timeout, Ct);
        await a.PublishAsync("test-topic", "after", Ct);
        await afterReconnect.Task.WaitAsync(Timeout, Ct);
    }
}
