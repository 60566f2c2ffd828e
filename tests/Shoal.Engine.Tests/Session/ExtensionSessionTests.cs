using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Shoal.Bencoding;
using Shoal.Engine.Metadata;
using Shoal.Engine.Session;
using Shoal.Engine.Tests.Peers;
using Shoal.Protocol;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.Metainfo;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Tests.Session;

/// <summary>Magnet download between two engines, metadata serving rules, and BEP 6 behaviour on a real socket.</summary>
public sealed class ExtensionSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static EngineOptions Loopback() => new() { ListenAddress = IPAddress.Loopback };

    /// <summary>A real single-file torrent (the info dictionary is bencoded, so its hash is what a magnet names).</summary>
    internal static TorrentMetainfo RealTorrent(byte[] data, int pieceLength, string name, bool isPrivate = false)
    {
        var lengths = new TorrentLengths(data.Length, pieceLength);
        var hashes = new byte[lengths.PieceCount * 20];
        for (int i = 0; i < lengths.PieceCount; i++)
        {
            SHA1.HashData(data.AsSpan((int)lengths.PieceOffset(i), lengths.PieceSize(i)), hashes.AsSpan(i * 20, 20));
        }
        var info = new BDictionary
        {
            ["length"] = new BInteger(data.Length),
            ["name"] = new BString(name),
            ["piece length"] = new BInteger(pieceLength),
            ["pieces"] = new BString(hashes),
        };
        if (isPrivate)
        {
            info["private"] = new BInteger(1);
        }
        return TorrentMetainfo.FromInfoDictionary(BencodeWriter.Encode(info));
    }

    [Fact]
    public async Task A_magnet_download_fetches_metadata_from_a_shoal_seeder_then_completes()
    {
        // 1 700 pieces -> 34 000 bytes of hashes -> an info dictionary of 3 metadata pieces (the last one short).
        var data = TestTorrents.RandomData(1700 * 16384 - 5, 11);
        var meta = RealTorrent(data, 16384, "magnet.bin");
        Assert.True(meta.RawInfo.Length > 2 * UtMetadata.PieceLength);
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var seeder = new ShoalEngine(Loopback());
        await using var leecher = new ShoalEngine(Loopback());
        var seed = await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        await seed.Completion.WaitAsync(Timeout);
        var seederEndPoint = new IPEndPoint(IPAddress.Loopback, seeder.ListenPort);

        var magnet = new MagnetLink(meta.InfoHash, null, [], []);
        using var cts = new CancellationTokenSource(Timeout);
        var fetched = await leecher.FetchMetadataAsync(magnet, [seederEndPoint], cts.Token);
        Assert.Equal(meta.RawInfo.ToArray(), fetched.RawInfo.ToArray());
        Assert.Equal([seederEndPoint], fetched.Peers);

        var fromMagnet = TorrentMetainfo.Parse(MagnetTorrentFile.Build(fetched.RawInfo.Span, []));
        Assert.Equal(meta.InfoHash, fromMagnet.InfoHash);
        var leech = await leecher.AddTorrentAsync(fromMagnet, new TorrentOptions { DownloadDirectory = leechDir.Path, Peers = fetched.Peers });
        await leech.Completion.WaitAsync(Timeout);
        Assert.Equal(data, TestTorrents.ReadData(fromMagnet, leechDir.Path));
    }

    [Fact]
    public async Task A_private_torrent_does_not_give_out_its_metadata()
    {
        var data = TestTorrents.RandomData(100_000, 12);
        var meta = RealTorrent(data, 16384, "private.bin", isPrivate: true);
        Assert.True(meta.IsPrivate);
        using var seedDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var seeder = new ShoalEngine(Loopback());
        await using var leecher = new ShoalEngine(Loopback());
        var seed = await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        await seed.Completion.WaitAsync(Timeout);

        using var cts = new CancellationTokenSource(Timeout);
        var ex = await Assert.ThrowsAsync<MetadataFetchException>(() => leecher.FetchMetadataAsync(
            new MagnetLink(meta.InfoHash, null, [], []), [new IPEndPoint(IPAddress.Loopback, seeder.ListenPort)], cts.Token));
        Assert.Contains("none of the 1 peers", ex.Message);
    }

    [Fact]
    public async Task A_fast_peer_gets_have_all_our_handshake_allowed_fast_and_rejects_while_choked()
    {
        var data = TestTorrents.RandomData(64 * 16384, 13);
        var meta = RealTorrent(data, 16384, "fast.bin");
        using var seedDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var seeder = new ShoalEngine(Loopback());
        var seed = await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        await seed.Completion.WaitAsync(Timeout);

        await using var raw = await RawPeer.ConnectAsync(seeder.ListenPort);
        byte[] hs = RawPeer.Handshake(meta.InfoHash, PeerId.CreateRandom());
        ReservedBits.Shoal.Write(hs.AsSpan(20, 8));
        await raw.SendAsync(hs);
        var reply = await raw.ReadAsync(68, Timeout);
        Assert.NotNull(reply);
        Assert.True(ReservedBits.Read(reply.AsSpan(20, 8)).SupportsFast);

        var first = await raw.ReadMessageAsync(Timeout);
        Assert.Equal((int)MessageId.HaveAll, first!.Value.Id);
        var ext = await raw.ReadMessageAsync(Timeout);
        Assert.Equal((int)MessageId.Extended, ext!.Value.Id);
        Assert.Equal(0, ext.Value.Body[0]);
        Assert.True(ExtensionHandshake.TryParse(new ReadOnlySequence<byte>(ext.Value.Body.AsMemory(1)), out var theirHs, out _));
        Assert.Equal(meta.RawInfo.Length, theirHs!.MetadataSize);
        Assert.Equal(LocalExtensions.UtMetadataId, theirHs.IdOf("ut_metadata"));

        var expectedFast = AllowedFast.Compute(IPAddress.Loopback, meta.InfoHash, meta.PieceCount);
        var allowed = new List<int>();
        for (int i = 0; i < expectedFast.Length; i++)
        {
            var m = await raw.ReadMessageAsync(Timeout);
            Assert.Equal((int)MessageId.AllowedFast, m!.Value.Id);
            allowed.Add(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(m.Value.Body));
        }
        Assert.Equal(expectedFast, allowed);

        // We never said interested, so we are choked: a request outside the allowed set is rejected, one inside is served.
        int notAllowed = Enumerable.Range(0, meta.PieceCount).First(i => !allowed.Contains(i));
        await raw.SendMessageAsync((byte)MessageId.Request, notAllowed, 0, 16384);
        var rejected = await ReadSkippingAsync(raw);
        Assert.Equal((int)MessageId.Reject, rejected.Id);
        Assert.Equal(notAllowed, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(rejected.Body));

        await raw.SendMessageAsync((byte)MessageId.Request, allowed[0], 0, 16384);
        var piece = await ReadSkippingAsync(raw);
        Assert.Equal((int)MessageId.Piece, piece.Id);
        Assert.Equal(data.AsSpan(allowed[0] * 16384, 16384).ToArray(), piece.Body.AsSpan(8).ToArray());
    }

    [Fact]
    public async Task Peers_learn_each_other_through_pex()
    {
        var data = TestTorrents.RandomData(8 * 16384, 14);
        var meta = RealTorrent(data, 16384, "pex.bin");
        using var seedDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var seeder = new ShoalEngine(Loopback());
        var seed = await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        await seed.Completion.WaitAsync(Timeout);

        await using var a = await ConnectWithExtensionsAsync(seeder.ListenPort, meta.InfoHash, listenPort: 40001);
        await using var b = await ConnectWithExtensionsAsync(seeder.ListenPort, meta.InfoHash, listenPort: 40002);

        // Within a few ticks, a hears of b (at the port b announced) from the seeder.
        UtPexMessage? pex = null;
        for (int i = 0; i < 200 && pex is null; i++)
        {
            var m = await ReadSkippingAsync(a);
            if (m.Id == (int)MessageId.Extended && m.Body[0] == 7)
            {
                Assert.True(UtPex.TryDecode(new ReadOnlySequence<byte>(m.Body.AsMemory(1)), out pex, out _));
            }
        }
        Assert.NotNull(pex);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 40002), pex!.Added.Select(p => p.EndPoint));
        Assert.DoesNotContain(new IPEndPoint(IPAddress.Loopback, 40001), pex.Added.Select(p => p.EndPoint));
    }

    /// <summary>A raw peer that negotiates BEP 10 and asks for ut_pex under id 7.</summary>
    private static async Task<RawPeer> ConnectWithExtensionsAsync(int port, InfoHash hash, int listenPort)
    {
        var raw = await RawPeer.ConnectAsync(port);
        byte[] hs = RawPeer.Handshake(hash, PeerId.CreateRandom());
        new ReservedBits(0).WithExtensionProtocol().Write(hs.AsSpan(20, 8));
        await raw.SendAsync(hs);
        Assert.NotNull(await raw.ReadAsync(68, Timeout));
        var ours = new ExtensionHandshake { Messages = new Dictionary<string, byte> { ["ut_pex"] = 7 }, ListenPort = listenPort };
        var writer = new ArrayBufferWriter<byte>();
        ours.WriteMessage(writer);
        await raw.SendAsync(writer.WrittenSpan.ToArray());
        return raw;
    }

    /// <summary>Next message that is not a keep-alive.</summary>
    private static async Task<(int Id, byte[] Body)> ReadSkippingAsync(RawPeer raw)
    {
        for (int i = 0; i < 10; i++)
        {
            var m = await raw.ReadMessageAsync(Timeout);
            Assert.NotNull(m);
            if (m.Value.Id != -1)
            {
                return m.Value;
            }
        }
        throw new InvalidOperationException("only keep-alives");
    }
}
