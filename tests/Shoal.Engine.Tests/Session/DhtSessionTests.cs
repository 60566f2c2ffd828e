using System.Buffers.Binary;
using System.Net;
using Shoal.Engine.Dht;
using Shoal.Engine.Session;
using Shoal.Engine.Tests.Dht;
using Shoal.Engine.Tests.Peers;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Session;

/// <summary>Engines with a DHT on 127.0.0.1: peers found through get_peers, announces, BEP 27, the BEP 5 port message.</summary>
public sealed class DhtSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>An engine with a DHT node (bootstrapped from <paramref name="router"/>) seeding a small torrent, its check done.</summary>
    private static async Task<(ShoalEngine Engine, TorrentMetainfo Meta)> SeedingWithDhtAsync(DhtNode router, string dir, int seed, string name)
    {
        var data = TestTorrents.RandomData(50_000, seed);
        var meta = TestTorrents.Create(data, 16 * 1024, name);
        TestTorrents.WriteData(meta, data, dir);
        var engine = new ShoalEngine(WithDht(router));
        try
        {
            var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir, SeedOnly = true });
            await t.Completion.WaitAsync(Timeout);
            return (engine, meta);
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    private static EngineOptions WithDht(DhtNode bootstrap) => new()
    {
        ListenAddress = IPAddress.Loopback,
        Dht = new EngineDhtOptions
        {
            BootstrapNodes = [bootstrap.LocalEndPoint],
            UseDefaultRouters = false,
            Tuning = DhtTestNodes.Options(),
            RetryInterval = TimeSpan.FromSeconds(1),
        },
    };

    [Fact]
    public async Task A_leecher_with_no_peers_and_no_tracker_finds_the_seeder_through_the_dht()
    {
        await using var router = await DhtTestNodes.StartAsync();
        var data = TestTorrents.RandomData(700_000, 31);
        var meta = TestTorrents.Create(data, 64 * 1024, "dht-payload");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);

        await using var seeder = new ShoalEngine(WithDht(router));
        await using var leecher = new ShoalEngine(WithDht(router));
        var seed = await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        var leech = await leecher.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = leechDir.Path });

        await leech.Completion.WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        Assert.True(leech.Status.DhtNodes > 0);
        Assert.NotNull(seeder.DhtNode);
        Assert.NotEqual(0, seeder.DhtNodeCount);
        _ = seed;
    }

    [Fact]
    public async Task A_private_torrent_is_never_announced_while_a_public_one_is()
    {
        await using var router = await DhtTestNodes.StartAsync();
        var data = TestTorrents.RandomData(100_000, 32);
        var open = TestTorrents.Create(data, 32 * 1024, "public");
        var closed = TestTorrents.Derive(TestTorrents.Create(data, 32 * 1024, "private"), isPrivate: true);
        using var dir = new TempFolder();
        TestTorrents.WriteData(open, data, dir.Path);
        TestTorrents.WriteData(closed, data, dir.Path);
        await using var engine = new ShoalEngine(WithDht(router));

        var priv = await engine.AddTorrentAsync(closed, new TorrentOptions { DownloadDirectory = dir.Path, SeedOnly = true });
        var pub = await engine.AddTorrentAsync(open, new TorrentOptions { DownloadDirectory = dir.Path, SeedOnly = true });
        var us = new IPEndPoint(IPAddress.Loopback, engine.ListenPort);
        var ct = DhtTestNodes.Deadline();
        while (!(await router.LookupPeersAsync(open.InfoHash, ct)).Peers.Contains(us))
        {
            await Task.Delay(100, ct);
        }

        Assert.DoesNotContain(us, (await router.LookupPeersAsync(closed.InfoHash, ct)).Peers);
        Assert.Equal(1, router.Snapshot().StoredInfoHashes);
        // The status is a snapshot published about once a second: wait (bounded) for one taken after the announce.
        while (pub.Status.DhtNodes == 0)
        {
            await Task.Delay(100, ct);
        }
        Assert.Equal(0, priv.Status.DhtNodes);
    }

    [Fact]
    public async Task Peers_that_set_the_dht_bit_get_our_port_and_their_port_message_adds_their_node()
    {
        await using var router = await DhtTestNodes.StartAsync();
        await using var theirNode = await DhtTestNodes.StartAsync();
        using var dir = new TempFolder();
        var (engine, meta) = await SeedingWithDhtAsync(router, dir.Path, 33, "port-message");
        await using var _ = engine;

        await using var peer = await RawPeer.ConnectAsync(engine.ListenPort);
        var hs = RawPeer.Handshake(meta.InfoHash, PeerId.CreateRandom());
        hs[27] |= 0x01; // reserved byte 7, bit 0x01: we run a DHT (BEP 5)
        await peer.SendAsync(hs);
        var theirs = await peer.ReadAsync(68, Timeout);
        Assert.NotNull(theirs);
        Assert.Equal(0x01, theirs![27] & 0x01); // the engine runs a DHT, so it says so too

        int? port = null;
        for (int i = 0; i < 20 && port is null; i++)
        {
            var m = await peer.ReadMessageAsync(Timeout);
            Assert.NotNull(m);
            if (m!.Value.Id == 9)
            {
                port = BinaryPrimitives.ReadUInt16BigEndian(m.Value.Body);
            }
        }
        Assert.Equal(engine.DhtNode!.LocalEndPoint.Port, port);

        var port9 = new byte[7];
        BinaryPrimitives.WriteInt32BigEndian(port9, 3);
        port9[4] = 9;
        BinaryPrimitives.WriteUInt16BigEndian(port9.AsSpan(5), (ushort)theirNode.LocalEndPoint.Port);
        await peer.SendAsync(port9);
        var ct = DhtTestNodes.Deadline();
        while (!engine.DhtNode.KnownNodes().Any(n => n.Id == theirNode.Id))
        {
            await Task.Delay(50, ct);
        }
    }

    [Fact]
    public async Task Without_the_dht_bit_no_port_message_is_sent()
    {
        await using var router = await DhtTestNodes.StartAsync();
        using var dir = new TempFolder();
        var (engine, meta) = await SeedingWithDhtAsync(router, dir.Path, 34, "no-port");
        await using var _ = engine;

        await using var peer = await RawPeer.ConnectAsync(engine.ListenPort);
        await peer.SendAsync(RawPeer.Handshake(meta.InfoHash, PeerId.CreateRandom()));
        Assert.NotNull(await peer.ReadAsync(68, Timeout));
        // Messages on one connection keep their order: a port message would come before the unchoke that answers
        // our interested.
        await peer.SendMessageAsync(2);
        for (int i = 0; i < 10; i++)
        {
            var m = await peer.ReadMessageAsync(Timeout);
            Assert.NotNull(m);
            Assert.NotEqual(9, m!.Value.Id);
            if (m.Value.Id == 1)
            {
                return;
            }
        }
        Assert.Fail("no unchoke after interested");
    }
}
