using System.Net;
using Shoal.Engine.Dht;
using Shoal.Protocol;
using Xunit.Abstractions;

namespace Shoal.Engine.Tests.Dht;

/// <summary>Fifty real nodes on 127.0.0.1 in one process, all joined through a single bootstrap node.</summary>
public class DhtSwarmTests(ITestOutputHelper output)
{
    private const int SwarmSize = 50;

    [Fact]
    public async Task Every_node_finds_an_announced_peer_within_five_rounds()
    {
        var ct = DhtTestNodes.Deadline(120);
        var nodes = new List<DhtNode>();
        try
        {
            for (int i = 0; i < SwarmSize; i++)
            {
                nodes.Add(await DhtTestNodes.StartAsync());
            }
            var bootstrap = nodes[0].LocalEndPoint;
            foreach (var node in nodes.Skip(1))
            {
                await node.BootstrapAsync([bootstrap], ct);
            }
            var sizes = nodes.Select(n => n.Snapshot().Nodes).ToList();
            output.WriteLine($"routing tables: min {sizes.Min()}, avg {sizes.Average():0.0}, max {sizes.Max()}");

            var infoHash = InfoHash.Compute("shoal dht swarm test"u8);
            var announcer = nodes[17];
            var announce = await announcer.AnnounceAsync(infoHash, 51413, ct);
            output.WriteLine($"announce: stored on {announce.AnnouncedTo} nodes, {announce.Lookup.QueriesSent} queries, {announce.Lookup.Rounds} rounds");
            Assert.True(announce.AnnouncedTo > 0);
            var expected = new IPEndPoint(IPAddress.Loopback, 51413);

            var results = new List<DhtLookupResult>();
            foreach (var batch in nodes.Where(n => n != announcer).Chunk(7))
            {
                results.AddRange(await Task.WhenAll(batch.Select(n => n.LookupPeersAsync(infoHash, ct))));
            }
            foreach (var r in results)
            {
                Assert.Contains(expected, r.Peers);
                Assert.NotNull(r.FirstPeerRound);
                Assert.InRange(r.FirstPeerRound!.Value, 0, 5);
            }
            var firsts = results.Select(r => r.FirstPeerRound!.Value).ToList();
            output.WriteLine($"first-peer round: min {firsts.Min()}, avg {firsts.Average():0.00}, max {firsts.Max()}; " +
                $"lookup rounds: avg {results.Average(r => r.Rounds):0.00}, max {results.Max(r => r.Rounds)}; " +
                $"queries per lookup: avg {results.Average(r => r.QueriesSent):0.0}, max {results.Max(r => r.QueriesSent)}; " +
                $"timeouts: {results.Sum(r => r.Timeouts)}");
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }
}

/// <summary>The same on ::1: replies carry <c>nodes6</c> and 18-byte peers.</summary>
public class DhtIpv6Tests
{
    [Fact]
    public async Task Ipv6_nodes_find_an_announced_peer()
    {
        var ct = DhtTestNodes.Deadline();
        var nodes = new List<DhtNode>();
        try
        {
            for (int i = 0; i < 6; i++)
            {
                nodes.Add(await DhtTestNodes.StartAsync(DhtTestNodes.Options() with { LocalEndPoint = new IPEndPoint(IPAddress.IPv6Loopback, 0) }));
            }
            foreach (var n in nodes.Skip(1))
            {
                await n.BootstrapAsync([nodes[0].LocalEndPoint], ct);
            }
            Assert.All(nodes, n => Assert.True(n.Snapshot().Nodes > 0));
            var infoHash = InfoHash.Compute("v6"u8);
            Assert.True((await nodes[2].AnnounceAsync(infoHash, 6881, ct)).AnnouncedTo > 0);
            var r = await nodes[5].LookupPeersAsync(infoHash, ct);
            Assert.Contains(new IPEndPoint(IPAddress.IPv6Loopback, 6881), r.Peers);
        }
        finally
        {
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask()));
        }
    }
}
