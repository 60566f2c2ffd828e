using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Session;
using Shoal.Engine.Tests.Session;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Metadata;

/// <summary>A peer that connects to us while a magnet's metadata is still being fetched is used for the fetch.</summary>
public sealed class IncomingDuringFetchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_seeder_that_dials_us_during_a_metadata_fetch_supplies_the_metadata_and_then_the_data()
    {
        var data = TestTorrents.RandomData(40 * 16384 + 77, 31);
        var meta = ExtensionSessionTests.RealTorrent(data, 16384, "incoming.bin");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        // The only peer the fetch is given accepts and then says nothing; with a long handshake timeout it keeps the
        // fetch waiting, so the metadata can only come from the peer that dials in.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var options = new EngineOptions { ListenAddress = IPAddress.Loopback, HandshakeTimeout = TimeSpan.FromMinutes(5) };
        await using var leecher = new ShoalEngine(options);
        await using var seeder = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        await leecher.StartAsync();
        var seed = await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        await seed.Completion.WaitAsync(Timeout);

        using var cts = new CancellationTokenSource(Timeout);
        var fetch = leecher.FetchMetadataAsync(new MagnetLink(meta.InfoHash, null, [], []), [(IPEndPoint)silent.LocalEndpoint], cts.Token);
        seed.AddPeers([new IPEndPoint(IPAddress.Loopback, leecher.ListenPort)]);
        var fetched = await fetch;

        Assert.Equal(meta.RawInfo.ToArray(), fetched.RawInfo.ToArray());
        // The incoming peer is listed where it listens (its extension handshake's p), so the download can dial it.
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, seeder.ListenPort)], fetched.Peers);
        var fromMagnet = TorrentMetainfo.Parse(MagnetTorrentFile.Build(fetched.RawInfo.Span, []));
        var leech = await leecher.AddTorrentAsync(fromMagnet, new TorrentOptions { DownloadDirectory = leechDir.Path, Peers = fetched.Peers });
        await leech.Completion.WaitAsync(Timeout);
        Assert.Equal(data, TestTorrents.ReadData(fromMagnet, leechDir.Path));
    }
}
