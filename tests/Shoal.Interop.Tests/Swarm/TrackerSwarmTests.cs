using System.Runtime.Versioning;
using System.Text;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Protocol;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>The same transfers, with peers found through a real opentracker (HTTP and UDP) instead of --peer.</summary>
[Collection(SwarmScope.Collection)]
[UnsupportedOSPlatform("windows")]
public sealed class TrackerSwarmTests
{
    public static TheoryData<string> Transports => new() { "http", "udp" };

    /// <summary>Starts opentracker for the payload and remakes the torrent (same info hash) with its announce URL.</summary>
    private static async Task<(SeededPayload Payload, OpenTracker Tracker)> WithTrackerAsync(SwarmScope scope, string transport)
    {
        var plain = await TestSwarms.MultiFileAsync(scope);
        var tracker = scope.Add("opentracker", await OpenTracker.StartAsync(InfoHash.FromHex(plain.Torrent.InfoHash)));
        string url = transport == "udp" ? tracker.UdpAnnounceUrl : tracker.AnnounceUrl;
        var torrent = await LibtorrentPeer.MakeTorrentAsync(plain.Root, Path.Combine(scope.Path, $"multi-{transport}.torrent"),
            TestSwarms.PieceSize, url);
        Assert.Equal(plain.Torrent.InfoHash, torrent.InfoHash);
        return (plain with { Torrent = torrent }, tracker);
    }

    /// <summary>Waits until opentracker's scrape counts <paramref name="seeds"/> seeds (so a later leecher gets them).</summary>
    private static async Task WaitForSeedsAsync(SwarmScope scope, OpenTracker tracker, string infoHashHex, int seeds)
    {
        string escaped = string.Concat(Convert.FromHexString(infoHashHex).Select(b => $"%{b:X2}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string want = $"8:completei{seeds}e";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string body = "";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                body = Encoding.Latin1.GetString(await http.GetByteArrayAsync($"{tracker.ScrapeUrl}?info_hash={escaped}"));
                if (body.Contains(want, StringComparison.Ordinal))
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
        throw new Xunit.Sdk.XunitException($"the tracker never counted {seeds} seed(s); last scrape: {body}\n{tracker.Log}\n{scope.Report()}");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Shoal_downloads_from_a_libtorrent_seeder_found_through_opentracker(string transport)
    {
        using var scope = new SwarmScope();
        var (payload, tracker) = await WithTrackerAsync(scope, transport);
        scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir));
        await WaitForSeedsAsync(scope, tracker, payload.Torrent.InfoHash, 1);
        string outDir = scope.Dir.Sub("shoal-out");

        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
            new ShoalDownloadOptions { Json = true }));
        await scope.Expect($"shoal download via {transport} tracker", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));

        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        // The final status line shows the tracker that found the seeder: its URL and tier, no error, and a state of
        // "working" (or "updating" while the completed announce is still in flight).
        var last = shoal.LastJson();
        Assert.True(last.HasValue, scope.Report());
        var tracker0 = Assert.Single(last.Value.GetProperty("trackers").EnumerateArray());
        Assert.Equal(transport == "udp" ? tracker.UdpAnnounceUrl : tracker.AnnounceUrl, tracker0.GetProperty("url").GetString());
        Assert.Equal(0, tracker0.GetProperty("tier").GetInt32()); // tiers are 0-based, as in `shoal scrape --json`
        Assert.Contains(tracker0.GetProperty("state").GetString(), new[] { "working", "updating" });
        Assert.Equal(System.Text.Json.JsonValueKind.Null, tracker0.GetProperty("lastError").ValueKind);
    }

    [Fact]
    public async Task Aria2_downloads_from_a_shoal_seeder_found_through_opentracker()
    {
        using var scope = new SwarmScope();
        var (payload, tracker) = await WithTrackerAsync(scope, "http");
        var shoal = scope.Add("shoal seed", ShoalProcess.StartSeed(payload.Torrent.TorrentPath, payload.SaveDir));
        await scope.Expect("shoal seed start", () => shoal.WaitForPortAsync(TimeSpan.FromSeconds(60)));
        await WaitForSeedsAsync(scope, tracker, payload.Torrent.InfoHash, 1);
        string outDir = scope.Dir.Sub("aria2-out");

        var aria2 = scope.Add("aria2c", await Aria2.StartLeecherAsync(payload.Torrent.TorrentPath, outDir));
        await scope.Expect("aria2c download from shoal via tracker", () => aria2.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(aria2.Process.ExitCode == 0, $"aria2c exited {aria2.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report, ignoreExtra: true);
    }

    [Fact]
    public async Task Libtorrent_downloads_from_a_shoal_seeder_found_through_opentracker()
    {
        using var scope = new SwarmScope();
        var (payload, tracker) = await WithTrackerAsync(scope, "http");
        var shoal = scope.Add("shoal seed", ShoalProcess.StartSeed(payload.Torrent.TorrentPath, payload.SaveDir));
        await scope.Expect("shoal seed start", () => shoal.WaitForPortAsync(TimeSpan.FromSeconds(60)));
        await WaitForSeedsAsync(scope, tracker, payload.Torrent.InfoHash, 1);
        string outDir = scope.Dir.Sub("lt-out");

        var leecher = scope.Add("libtorrent leecher", await LibtorrentPeer.StartLeecherAsync(payload.Torrent.TorrentPath, outDir));
        await scope.Expect("libtorrent download from shoal via tracker", () => leecher.WaitForExitAsync(SwarmScope.TransferTimeout));

        Assert.True(leecher.Process.ExitCode == 0, $"libtorrent leecher exited {leecher.Process.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(payload.Root, payload.Landed(outDir), scope.Report);
    }

    [Fact]
    public async Task Three_shoal_leechers_find_each_other_through_opentracker_and_trade()
    {
        using var scope = new SwarmScope();
        var (payload, tracker) = await WithTrackerAsync(scope, "http");
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath,
            payload.SaveDir, uploadLimit: 1024 * 1024));
        await WaitForSeedsAsync(scope, tracker, payload.Torrent.InfoHash, 1);
        var leechers = new List<(ShoalProcess Shoal, string Out)>();
        for (int i = 0; i < 3; i++)
        {
            string outDir = scope.Dir.Sub($"shoal-{i}");
            leechers.Add((scope.Add($"shoal leecher {i}", ShoalProcess.StartDownload(payload.Torrent.TorrentPath, outDir,
                new ShoalDownloadOptions { Json = true, Verbose = false })), outDir));
        }

        await scope.Expect("three shoal leechers via tracker",
            () => Task.WhenAll(leechers.Select(l => l.Shoal.WaitForExitAsync(SwarmScope.TransferTimeout))));

        foreach (var (shoal, outDir) in leechers)
        {
            TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        }
        long uploadedByLeechers = leechers.Sum(l => l.Shoal.JsonMax(MultiLeecherTests.UploadedNames) ?? 0);
        Assert.True(uploadedByLeechers > 0, $"the leechers found through the tracker traded nothing\n{tracker.Log}\n{scope.Report()}");
        await Task.Delay(1500); // the seeder prints its upload counter once a second
        Assert.True(seeder.Uploaded < 3 * payload.Torrent.TotalLength,
            $"the seeder uploaded {seeder.Uploaded} bytes: three full copies, so the leechers shared nothing\n{scope.Report()}");
    }
}
