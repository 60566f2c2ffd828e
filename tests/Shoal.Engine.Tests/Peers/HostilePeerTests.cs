using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Peers;
using Shoal.Engine.Session;
using Shoal.Engine.Tests.Session;
using Shoal.Protocol;

namespace Shoal.Engine.Tests.Peers;

/// <summary>A real engine on loopback against a scripted peer that breaks the rules on purpose.</summary>
public sealed class HostilePeerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static async Task<(ShoalEngine Engine, TorrentHandle Torrent, TempFolder Dir)> SeederAsync(byte[] data, int pieceLength)
    {
        var meta = TestTorrents.Create(data, pieceLength, "hostile");
        var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        var engine = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path, SeedOnly = true });
        await t.Completion.WaitAsync(Timeout);
        return (engine, t, dir);
    }

    /// <summary>Handshakes, reads the engine's handshake and bitfield, says interested, waits for unchoke.</summary>
    private static async Task<RawPeer> UnchokedPeerAsync(ShoalEngine engine, TorrentHandle t)
    {
        var peer = await RawPeer.ConnectAsync(engine.ListenPort);
        await peer.SendAsync(RawPeer.Handshake(t.InfoHash, PeerId.CreateRandom()));
        Assert.NotNull(await peer.ReadAsync(68, Timeout));
        await peer.SendMessageAsync(2); // interested
        while (true)
        {
            var m = await peer.ReadMessageAsync(Timeout);
            Assert.NotNull(m);
            if (m.Value.Id == 1)
            {
                return peer;
            }
        }
    }

    private static async Task<int> WaitForDisconnectCountAsync(TorrentHandle t, DisconnectReason reason)
    {
        for (int i = 0; i < 200; i++)
        {
            int n = t.Status.Disconnects.GetValueOrDefault(reason.ToString());
            if (n > 0)
            {
                return n;
            }
            await Task.Delay(50);
        }
        return 0;
    }

    [Fact]
    public async Task Engine_does_not_answer_a_handshake_for_an_unknown_torrent()
    {
        var (engine, _, dir) = await SeederAsync(TestTorrents.RandomData(50_000, 1), 16384);
        using var _d = dir;
        await using var _e = engine;
        await using var peer = await RawPeer.ConnectAsync(engine.ListenPort);

        await peer.SendAsync(RawPeer.Handshake(InfoHash.Compute([1, 2, 3]), PeerId.CreateRandom()));

        Assert.Null(await peer.ReadAsync(68, Timeout));
    }

    [Fact]
    public async Task Seeder_drops_a_peer_asking_for_more_than_16_KiB()
    {
        var (engine, t, dir) = await SeederAsync(TestTorrents.RandomData(200_000, 2), 65536);
        using var _d = dir;
        await using var _e = engine;
        await using var peer = await UnchokedPeerAsync(engine, t);

        await peer.SendMessageAsync(6, 0, 0, 32768);

        Assert.True(await peer.WaitForCloseAsync(Timeout));
        Assert.Equal(1, await WaitForDisconnectCountAsync(t, DisconnectReason.BadRequest));
    }

    [Fact]
    public async Task Seeder_serves_a_valid_request_with_the_right_bytes()
    {
        var data = TestTorrents.RandomData(200_000, 3);
        var (engine, t, dir) = await SeederAsync(data, 65536);
        using var _d = dir;
        await using var _e = engine;
        await using var peer = await UnchokedPeerAsync(engine, t);

        await peer.SendMessageAsync(6, 1, 16384, 16384);
        (int Id, byte[] Body)? m;
        do
        {
            m = await peer.ReadMessageAsync(Timeout);
            Assert.NotNull(m);
        }
        while (m.Value.Id != 7);

        Assert.Equal(data.AsSpan(65536 + 16384, 16384).ToArray(), m.Value.Body[8..]);
    }

    [Fact]
    public async Task A_frame_longer_than_any_legal_message_ends_the_connection()
    {
        var (engine, t, dir) = await SeederAsync(TestTorrents.RandomData(50_000, 4), 16384);
        using var _d = dir;
        await using var _e = engine;
        await using var peer = await RawPeer.ConnectAsync(engine.ListenPort);
        await peer.SendAsync(RawPeer.Handshake(t.InfoHash, PeerId.CreateRandom()));
        Assert.NotNull(await peer.ReadAsync(68, Timeout));

        await peer.SendAsync([0x7f, 0xff, 0xff, 0xff, 7]);

        Assert.True(await peer.WaitForCloseAsync(Timeout));
        Assert.Equal(1, await WaitForDisconnectCountAsync(t, DisconnectReason.ProtocolViolation));
    }

    [Fact]
    public async Task Leecher_bans_a_peer_whose_data_fails_the_hash_check()
    {
        var data = TestTorrents.RandomData(4 * 16384, 5);
        var meta = TestTorrents.Create(data, 16384, "liar");
        using var dir = new TempFolder();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var engine = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = dir.Path,
            Peers = [new IPEndPoint(IPAddress.Loopback, port)],
        });

        await using var liar = RawPeer.FromAccepted(await listener.AcceptSocketAsync().WaitAsync(Timeout));
        Assert.NotNull(await liar.ReadAsync(68, Timeout));
        await liar.SendAsync(RawPeer.Handshake(meta.InfoHash, PeerId.CreateRandom()));
        await liar.SendBitfieldAsync([0xF0]);
        await liar.SendMessageAsync(1); // unchoke
        bool closed = false;
        for (int i = 0; i < 100 && !closed; i++)
        {
            var m = await liar.ReadMessageAsync(Timeout);
            if (m is null)
            {
                closed = true;
            }
            else if (m.Value.Id == 6)
            {
                int piece = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(m.Value.Body);
                await liar.SendPieceAsync(piece, 0, new byte[16384]); // zeros: wrong data
            }
        }

        Assert.True(closed);
        Assert.Equal(1, await WaitForDisconnectCountAsync(t, DisconnectReason.Banned));
        Assert.Equal(0, t.Status.PiecesHave);
    }
}

/// <summary>Data nobody asked for.</summary>
public sealed class UnsolicitedDataTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Leecher_drops_a_peer_that_sends_a_block_it_never_requested()
    {
        var data = TestTorrents.RandomData(4 * 16384, 11);
        var meta = TestTorrents.Create(data, 16384, "pushy");
        using var dir = new TempFolder();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        await using var engine = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = dir.Path,
            Peers = [new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port)],
        });

        await using var pushy = RawPeer.FromAccepted(await listener.AcceptSocketAsync().WaitAsync(Timeout));
        Assert.NotNull(await pushy.ReadAsync(68, Timeout));
        await pushy.SendAsync(RawPeer.Handshake(meta.InfoHash, PeerId.CreateRandom()));
        await pushy.SendBitfieldAsync([0xF0]);
        await pushy.SendPieceAsync(2, 0, data.AsSpan(2 * 16384, 16384).ToArray()); // right bytes, never requested

        Assert.True(await pushy.WaitForCloseAsync(Timeout));
        for (int i = 0; i < 100 && t.Status.Disconnects.GetValueOrDefault(nameof(DisconnectReason.ProtocolViolation)) == 0; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(1, t.Status.Disconnects.GetValueOrDefault(nameof(DisconnectReason.ProtocolViolation)));
        Assert.Equal(0, t.Status.PiecesHave);
    }
}
