using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Shoal.Engine.Trackers;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Trackers;

/// <summary>Scraping opentracker over HTTP and UDP, through the engine and through <c>shoal scrape</c>.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class ScrapeTests(ITestOutputHelper output)
{
    private static readonly TrackerOptions Options = new() { UdpBaseTimeout = TimeSpan.FromSeconds(3), HttpTimeout = TimeSpan.FromSeconds(10) };

    private static async Task AnnounceAsync(OpenTracker tracker, InfoHash hash, string peerId, int port, long left)
    {
        var request = new AnnounceRequest(hash, new PeerId(Encoding.ASCII.GetBytes(peerId)), port, 0, 0, left, TrackerEvent.Started, 50, 1);
        var result = await new HttpTrackerClient(Options).AnnounceAsync(tracker.AnnounceUrl, request, CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
    }

    [Fact]
    public async Task Scraper_reports_each_tracker_and_says_which_cannot_scrape()
    {
        var hash = new InfoHash(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Take(20).ToArray());
        using var tracker = await OpenTracker.StartAsync(hash);
        await AnnounceAsync(tracker, hash, "-SH0001-aaaaaaaaaaaa", 40001, 0);
        await AnnounceAsync(tracker, hash, "-SH0001-bbbbbbbbbbbb", 40002, 10);

        string noScrape = $"http://127.0.0.1:{tracker.HttpPort}/tracker";
        var results = await TrackerScraper.ScrapeAllAsync(
            [[tracker.AnnounceUrl], [tracker.UdpAnnounceUrl, noScrape], ["wss://example.invalid/announce"]], hash, Options);

        Assert.Equal(4, results.Count);
        foreach (var url in new[] { tracker.AnnounceUrl, tracker.UdpAnnounceUrl })
        {
            var r = results.Single(x => x.Result.Url == url).Result;
            Assert.True(r.IsSuccess, r.Error);
            Assert.Equal(new ScrapeStats(hash, 1, 0, 1), r.Files!.Single());
        }
        Assert.True(results.Single(x => x.Result.Url == noScrape).Result.NotSupported);
        Assert.True(results.Single(x => x.Tier == 2).Result.NotSupported);
    }

    [Fact]
    public async Task Shoal_scrape_prints_counts_per_tracker_as_json()
    {
        using var dir = new TempDir();
        string payload = Path.Combine(dir.Path, "payload.bin");
        await File.WriteAllBytesAsync(payload, new byte[100_000]);
        string torrent = Path.Combine(dir.Path, "payload.torrent");

        // The info hash does not cover the announce URLs: learn it from a first torrent, whitelist it, then point a
        // second torrent of the same file at the running tracker.
        var mk = await ExternalProcess.RunAsync("mktorrent", ["-a", "http://127.0.0.1:1/announce", "-o", torrent, payload],
            TimeSpan.FromSeconds(30));
        Assert.Equal(0, mk.ExitCode);
        var show = await ExternalProcess.RunAsync("transmission-show", [torrent], TimeSpan.FromSeconds(30));
        string hashLine = show.StandardOutput.Split('\n').First(l => l.Contains("Hash", StringComparison.Ordinal));
        var hash = InfoHash.FromHex(hashLine.Split(':')[^1].Trim());

        using var tracker = await OpenTracker.StartAsync(hash);
        File.Delete(torrent);
        var mk2 = await ExternalProcess.RunAsync("mktorrent",
            ["-a", tracker.AnnounceUrl, "-a", tracker.UdpAnnounceUrl, "-o", torrent, payload], TimeSpan.FromSeconds(30));
        Assert.Equal(0, mk2.ExitCode);
        await AnnounceAsync(tracker, hash, "-SH0001-aaaaaaaaaaaa", 40001, 0);

        var run = await ExternalProcess.RunAsync(RepoPaths.ShoalExe, ["scrape", torrent, "--json"], TimeSpan.FromSeconds(60));
        output.WriteLine(run.StandardOutput + run.StandardError);
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal(hash.ToHex(), doc.RootElement.GetProperty("infoHash").GetString());
        var trackers = doc.RootElement.GetProperty("trackers").EnumerateArray().ToList();
        Assert.Equal(2, trackers.Count);
        Assert.All(trackers, t => Assert.Equal(1, t.GetProperty("seeders").GetInt32()));
    }
}
