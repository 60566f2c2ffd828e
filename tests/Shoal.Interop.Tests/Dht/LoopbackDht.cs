using System.Net;
using Shoal.Engine.Dht;
using Shoal.Protocol;

namespace Shoal.Interop.Tests.Dht;

/// <summary>
/// A few Shoal DHT nodes in the test process on 127.0.0.1, joined to each other: the core of the small DHT that
/// libtorrent sessions and <c>shoal</c> processes bootstrap from. Rate limits are lifted because every node shares
/// one address.
/// </summary>
public sealed class LoopbackDht : IAsyncDisposable
{
    private readonly List<DhtNode> _nodes = [];

    private LoopbackDht()
    {
    }

    public IReadOnlyList<DhtNode> Nodes => _nodes;

    /// <summary>The first node's <c>HOST:PORT</c>, what the other members are told to bootstrap from.</summary>
    public string Entry => $"127.0.0.1:{_nodes[0].LocalEndPoint.Port}";

    public static DhtOptions Options() => new()
    {
        LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
        UseDefaultRouters = false,
        QueryTimeout = TimeSpan.FromSeconds(2),
        QueriesPerSecondPerIp = 100_000,
        QueryBurstPerIp = 100_000,
    };

    public static async Task<LoopbackDht> StartAsync(int count)
    {
        var dht = new LoopbackDht();
        try
        {
            for (int i = 0; i < count; i++)
            {
                var node = new DhtNode(Options());
                await node.StartAsync();
                dht._nodes.Add(node);
            }
            foreach (var n in dht._nodes.Skip(1))
            {
                await n.BootstrapAsync([dht._nodes[0].LocalEndPoint]);
            }
            // A second pass, so the first node also learns of the later ones through their lookups.
            await dht._nodes[0].BootstrapAsync();
            return dht;
        }
        catch
        {
            await dht.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Looks <paramref name="infoHash"/> up from the last node, once a second, until <paramref name="peer"/> appears
    /// among its peers (true) or <paramref name="timeout"/> passes (false): proof that someone announced it.
    /// </summary>
    public async Task<bool> WaitForAnnounceAsync(InfoHash infoHash, IPEndPoint peer, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var r = await _nodes[^1].LookupPeersAsync(infoHash, deadline.Token);
                if (r.Peers.Contains(peer))
                {
                    return true;
                }
                await Task.Delay(500, deadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string Describe() => string.Join('\n', _nodes.Select(n =>
    {
        var s = n.Snapshot();
        return $"dht node {n.LocalEndPoint}: {s.Nodes} nodes, {s.StoredPeers} stored peers for {s.StoredInfoHashes} hashes";
    }));

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}
