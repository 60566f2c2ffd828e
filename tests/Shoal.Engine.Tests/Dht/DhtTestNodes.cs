using System.Net;
using Shoal.Engine.Dht;

namespace Shoal.Engine.Tests.Dht;

/// <summary>Loopback-only node settings for tests: no public routers, short timeouts, no rate limit in the way.</summary>
internal static class DhtTestNodes
{
    public static DhtOptions Options(string? tablePath = null) => new()
    {
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        UseDefaultRouters = false,
        QueryTimeout = TimeSpan.FromSeconds(1),
        // Every node of a test swarm shares 127.0.0.1, so the per-IP allowance must cover all of them.
        QueriesPerSecondPerIp = 100_000,
        QueryBurstPerIp = 100_000,
        RoutingTablePath = tablePath,
    };

    public static async Task<DhtNode> StartAsync(DhtOptions? options = null)
    {
        var node = new DhtNode(options ?? Options());
        await node.StartAsync();
        return node;
    }

    /// <summary>A cancellation token that ends a test that hangs.</summary>
    public static CancellationToken Deadline(int seconds = 60) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
