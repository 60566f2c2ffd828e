using System.Globalization;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;
using Shoal.Protocol.Metainfo;

namespace Shoal.Interop.Tests.Magnet;

/// <summary>
/// Magnet links against libtorrent, with nothing but the info hash and a peer address: the metadata must come over
/// BEP 9 (ut_metadata) inside BEP 10 extended messages, both ways.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class MagnetInteropTests
{
    private static string MagnetScript => Path.Combine(RepoPaths.Root, "tests", "Shoal.Interop.Tests", "scripts", "lt_magnet_leech.py");

    [Fact]
    public async Task Shoal_downloads_a_magnet_from_libtorrent_and_saves_a_matching_torrent()
    {
        using var scope = new SwarmScope("shoal-magnet");
        var payload = await TestSwarms.MultiFileAsync(scope);
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        string saved = Path.Combine(scope.Path, "saved.torrent");
        string magnet = $"magnet:?xt=urn:btih:{payload.Torrent.InfoHash}&dn=multi&x.pe={seeder.Endpoint}";

        var shoal = scope.Add("shoal download", ShoalProcess.Start(
            ["download", magnet, "-o", outDir, "--port", "0", "--save-torrent", saved, "--verbose", "--no-dht"]));
        await scope.Expect("shoal magnet download from libtorrent", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        Assert.True(File.Exists(saved), $"--save-torrent wrote nothing\n{scope.Report()}");
        var original = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(payload.Torrent.TorrentPath));
        var fromMagnet = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(saved));
        Assert.Equal(payload.Torrent.InfoHash, fromMagnet.InfoHash.ToHex());
        Assert.Equal(original.RawInfo.ToArray(), fromMagnet.RawInfo.ToArray());

        // libtorrent reads the saved file and agrees on the hash.
        using var check = await ExternalProcess.RunAsync(LibtorrentPeer.Python,
            ["-c", $"import libtorrent as lt; print(lt.torrent_info(r'{saved}').info_hashes().v1)"], TimeSpan.FromSeconds(30));
        Assert.Equal(payload.Torrent.InfoHash, check.StandardOutput.Trim());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Shoal_finds_magnet_peers_through_the_tr_tracker()
    {
        using var scope = new SwarmScope("shoal-magnet");
        var plain = await TestSwarms.SingleFileAsync(scope, seed: 7);
        var tracker = scope.Add("opentracker", await OpenTracker.StartAsync(Shoal.Protocol.InfoHash.FromHex(plain.Torrent.InfoHash)));
        var torrent = await LibtorrentPeer.MakeTorrentAsync(plain.Root, Path.Combine(scope.Path, "tracked.torrent"),
            TestSwarms.PieceSize, tracker.AnnounceUrl);
        var payload = plain with { Torrent = torrent };
        scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(torrent.TorrentPath, payload.SaveDir));
        await WaitForSeedAsync(scope, tracker, torrent.InfoHash);
        string outDir = scope.Dir.Sub("shoal-out");
        string magnet = $"magnet:?xt=urn:btih:{torrent.InfoHash}&tr={Uri.EscapeDataString(tracker.AnnounceUrl)}";

        var shoal = scope.Add("shoal download", ShoalProcess.Start(["download", magnet, "-o", outDir, "--port", "0", "--verbose", "--no-dht"]));
        await scope.Expect("shoal magnet download via tracker", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
    }

    /// <summary>Waits until opentracker's scrape counts the seeder, so the magnet's announce gets it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task WaitForSeedAsync(SwarmScope scope, OpenTracker tracker, string infoHashHex)
    {
        string escaped = string.Concat(Convert.FromHexString(infoHashHex).Select(b => $"%{b:X2}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                string body = System.Text.Encoding.Latin1.GetString(await http.GetByteArrayAsync($"{tracker.ScrapeUrl}?info_hash={escaped}"));
                if (body.Contains("8:completei1e", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not up yet
            }
            await Task.Delay(200);
        }
        throw new Xunit.Sdk.XunitException($"the seeder never showed up in opentracker's scrape\n{scope.Report()}");
    }

    [Fact]
    public async Task Libtorrent_downloads_a_magnet_from_a_shoal_seeder()
    {
        using var scope = new SwarmScope("shoal-magnet");
        var payload = await TestSwarms.MultiFileAsync(scope, seed: 5);
        var shoal = scope.Add("shoal seed", ShoalProcess.StartSeed(payload.Torrent.TorrentPath, payload.SaveDir));
        await scope.Expect("shoal seed start", () => shoal.WaitForPortAsync(TimeSpan.FromSeconds(60)));
        string outDir = scope.Dir.Sub("lt-out");
        Directory.CreateDirectory(outDir);

        var leecher = scope.Add("libtorrent magnet leecher", ExternalProcess.Start(LibtorrentPeer.Python,
            [MagnetScript, $"magnet:?xt=urn:btih:{payload.Torrent.InfoHash}", outDir, "--peer", shoal.Endpoint,
             "--timeout", SwarmScope.TransferTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)]));
        await scope.Expect("libtorrent magnet download from shoal", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout + TimeSpan.FromSeconds(10)));

        Assert.True(leecher.ExitCode == 0, $"libtorrent magnet leecher exited {leecher.ExitCode}\n{scope.Report()}");
        Assert.Contains("metadata received", leecher.StandardOutput);
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
    }
}
