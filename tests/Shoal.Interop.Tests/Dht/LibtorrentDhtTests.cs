using System.Net;
using Shoal.Engine.Dht;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Protocol;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Dht;

/// <summary>
/// Our DHT and libtorrent's (python3-libtorrent 2.0) on 127.0.0.1: libtorrent joins through our nodes, each side
/// announces an info hash, and each side's get_peers finds the other's announce.
/// </summary>
public sealed class LibtorrentDhtTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int OurNodes = 8;
    private readonly List<DhtNode> _nodes = [];

    public async Task InitializeAsync()
    {
        for (int i = 0; i < OurNodes; i++)
        {
            var node = new DhtNode(new DhtOptions
            {
                LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                UseDefaultRouters = false,
                QueryTimeout = TimeSpan.FromSeconds(2),
                QueriesPerSecondPerIp = 100_000,
                QueryBurstPerIp = 100_000,
            });
            await node.StartAsync();
            _nodes.Add(node);
        }
        foreach (var n in _nodes.Skip(1))
        {
            await n.BootstrapAsync([_nodes[0].LocalEndPoint]);
        }
    }

    public async Task DisposeAsync() => await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));

    private static string Script => Path.Combine(RepoPaths.Root, "tests", "Shoal.Interop.Tests", "Dht", "lt_dht.py");

    [Fact]
    public async Task Libtorrent_and_shoal_find_each_others_announces()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var ct = deadline.Token;
        var theirs = InfoHash.Compute("announced by libtorrent"u8);
        var ours = InfoHash.Compute("announced by shoal"u8);
        const int ourPort = 42_345;

        using var dir = new TempDir();
        using var lt = ExternalProcess.Start("/usr/bin/python3",
            [Script, _nodes[0].LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             theirs.ToHex(), ours.ToHex(), "75", dir.Path,
             .. (Environment.GetEnvironmentVariable("SHOAL_DHT_VERBOSE") is null ? Array.Empty<string>() : ["verbose"])]);
        try
        {
            Assert.True(await lt.WaitForOutputAsync("READY", TimeSpan.FromSeconds(30)), $"libtorrent never joined:\n{lt.StandardError}");

            var ready = lt.StandardOutput.Split('\n').First(l => l.StartsWith("READY ", StringComparison.Ordinal)).Split(' ');
            int theirPort = int.Parse(ready[1], System.Globalization.CultureInfo.InvariantCulture);

            // libtorrent -> shoal: its announce lands on our nodes; a lookup from our side sees its port.
            var expected = new IPEndPoint(IPAddress.Loopback, theirPort);
            DhtLookupResult? found = null;
            for (int attempt = 0; attempt < 30 && found is null; attempt++)
            {
                var r = await _nodes[^1].LookupPeersAsync(theirs, ct);
                if (r.Peers.Contains(expected))
                {
                    found = r;
                }
                else
                {
                    await Task.Delay(1000, ct);
                }
            }
            Assert.True(found is not null, $"libtorrent's announce was not found\n{lt.StandardOutput}\n{lt.StandardError}");
            output.WriteLine($"shoal found libtorrent's peer in round {found!.FirstPeerRound} ({found.QueriesSent} queries)");

            // A fresh node that knows only libtorrent's DHT endpoint: it bootstraps from libtorrent's find_node
            // replies and must fetch the peer over the network (round >= 1), not from a local store.
            await using (var fresh = new DhtNode(new DhtOptions
            {
                LocalEndPoint = new IPEndPoint(IPAddress.Loopback, 0),
                UseDefaultRouters = false,
                QueryTimeout = TimeSpan.FromSeconds(2),
            }))
            {
                await fresh.StartAsync(ct);
                int known = await fresh.BootstrapAsync([new IPEndPoint(IPAddress.Loopback, theirPort)], ct);
                Assert.True(known > 1, $"bootstrapping from libtorrent gave {known} nodes");
                var viaLt = await fresh.LookupPeersAsync(theirs, ct);
                Assert.Contains(expected, viaLt.Peers);
                Assert.True(viaLt.FirstPeerRound >= 1);
                output.WriteLine($"fresh node bootstrapped from libtorrent: {known} nodes, peer found in round {viaLt.FirstPeerRound}");
            }

            // shoal -> libtorrent: we announce; libtorrent's dht_get_peers reports our port.
            var announce = await _nodes[3].AnnounceAsync(ours, ourPort, ct);
            output.WriteLine($"shoal announce stored on {announce.AnnouncedTo} nodes (lookup saw {announce.Lookup.Responses} replies)");
            Assert.True(announce.AnnouncedTo > 0);
            Assert.True(await lt.WaitForOutputAsync($"PEER 127.0.0.1:{ourPort}", TimeSpan.FromSeconds(30)),
                $"libtorrent did not find our announce\n{lt.StandardOutput}\n{lt.StandardError}");
        }
        finally
        {
            lt.Kill();
            foreach (var n in _nodes)
            {
                output.WriteLine($"node {n.LocalEndPoint.Port}: {n.Snapshot().StoredPeers} peers, {n.Snapshot().Nodes} nodes, {n.Snapshot().Counters}, {n.LastHandlerError}");
            }
            output.WriteLine(lt.StandardOutput);
        }
    }
}
