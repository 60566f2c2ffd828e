using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Shoal.Engine.Trackers;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;
using Xunit.Abstractions;

namespace Shoal.Interop.Tests.Trackers;

/// <summary>Our HTTP and UDP clients against a real opentracker on loopback.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class OpenTrackerAnnounceTests(ITestOutputHelper output)
{
    private static readonly TrackerOptions Options = new() { UdpBaseTimeout = TimeSpan.FromSeconds(3), HttpTimeout = TimeSpan.FromSeconds(10) };

    private static InfoHash RandomHash() => new(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).Take(20).ToArray());

    private static AnnounceRequest Request(InfoHash hash, string peerId, int port, long left = 100, TrackerEvent ev = TrackerEvent.Started) =>
        new(hash, new PeerId(Encoding.ASCII.GetBytes(peerId)), port, 0, 0, left, ev, 50, (uint)port);

    public static TheoryData<string> Transports => new() { "http", "udp" };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Second_peer_sees_the_first(string transport)
    {
        var hash = RandomHash();
        using var tracker = await OpenTracker.StartAsync(hash);
        ITrackerClient client = transport == "http" ? new HttpTrackerClient(Options) : new UdpTrackerClient(Options);
        string url = transport == "http" ? tracker.AnnounceUrl : tracker.UdpAnnounceUrl;

        var first = await client.AnnounceAsync(url, Request(hash, "-SH0001-aaaaaaaaaaaa", 40001), CancellationToken.None);
        Assert.True(first.IsSuccess, $"{first.Error}\n{tracker.Log}");
        var second = await client.AnnounceAsync(url, Request(hash, "-SH0001-bbbbbbbbbbbb", 40002, left: 0), CancellationToken.None);
        Assert.True(second.IsSuccess, $"{second.Error}\n{tracker.Log}");

        Assert.Contains(IPEndPoint.Parse("127.0.0.1:40001"), second.Response!.Peers);
        Assert.True(second.Response.Interval > 0);
        Assert.Equal(1, second.Response.Seeders);
        Assert.Equal(1, second.Response.Leechers);
        output.WriteLine($"{transport}: peers {string.Join(", ", second.Response.Peers)}, interval {second.Response.Interval}");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Scrape_counts_seeders_and_leechers(string transport)
    {
        var hash = RandomHash();
        using var tracker = await OpenTracker.StartAsync(hash);
        ITrackerClient client = transport == "http" ? new HttpTrackerClient(Options) : new UdpTrackerClient(Options);
        string url = transport == "http" ? tracker.AnnounceUrl : tracker.UdpAnnounceUrl;
        foreach (var (id, port, left) in new[] { ("-SH0001-aaaaaaaaaaaa", 40001, 100L), ("-SH0001-bbbbbbbbbbbb", 40002, 0L), ("-SH0001-cccccccccccc", 40003, 0L) })
        {
            var r = await client.AnnounceAsync(url, Request(hash, id, port, left: left), CancellationToken.None);
            Assert.True(r.IsSuccess, $"announce {id}: {r.Error}\n{tracker.Log}");
        }

        var scrape = await client.ScrapeAsync(url, [hash], CancellationToken.None);
        Assert.True(scrape.IsSuccess, scrape.Error);
        var stats = Assert.Single(scrape.Files!);
        Assert.Equal(hash, stats.InfoHash);
        Assert.Equal(2, stats.Seeders);
        Assert.Equal(1, stats.Leechers);
    }

    [Fact]
    public async Task Unlisted_info_hash_is_refused_with_the_trackers_words()
    {
        using var tracker = await OpenTracker.StartAsync(RandomHash());
        var http = await new HttpTrackerClient(Options).AnnounceAsync(tracker.AnnounceUrl,
            Request(RandomHash(), "-SH0001-aaaaaaaaaaaa", 40001), CancellationToken.None);
        Assert.False(http.IsSuccess);
        Assert.True(http.TrackerRefused);
        Assert.Contains("not authorized", http.Error, StringComparison.Ordinal);
        output.WriteLine($"http refusal: {http.Error}");
        // opentracker drops UDP announces for unlisted hashes without an error packet.
        var udp = await new UdpTrackerClient(Options with { UdpBaseTimeout = TimeSpan.FromMilliseconds(500) }).AnnounceAsync(tracker.UdpAnnounceUrl,
            Request(RandomHash(), "-SH0001-aaaaaaaaaaaa", 40001), CancellationToken.None);
        Assert.False(udp.IsSuccess);
        output.WriteLine($"udp refusal: {udp.Error}");
    }

    [Fact]
    public async Task Dead_udp_tier_and_dead_http_tier_do_not_delay_peers_from_a_live_tier()
    {
        var hash = RandomHash();
        using var tracker = await OpenTracker.StartAsync(hash);
        // Dead UDP: a bound socket nobody reads (no ICMP refusal, so the client really waits).
        using var deadUdp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        // Dead HTTP: the kernel accepts the connection, nobody ever answers.
        var deadHttp = new TcpListener(IPAddress.Loopback, 0);
        deadHttp.Start();
        try
        {
            string udpUrl = $"udp://127.0.0.1:{((IPEndPoint)deadUdp.Client.LocalEndPoint!).Port}/announce";
            string httpUrl = $"http://127.0.0.1:{((IPEndPoint)deadHttp.LocalEndpoint).Port}/announce";
            // Production timeouts (15 s UDP, 20 s HTTP): only parallel tiers get the peer in time.
            await using var manager = new TrackerManager([[udpUrl], [httpUrl], [tracker.AnnounceUrl]], hash,
                new PeerId(Encoding.ASCII.GetBytes("-SH0001-tttttttttttt")), 40009, () => new AnnounceStats(0, 0, 100));
            var sw = Stopwatch.StartNew();
            manager.Start();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var batch = await manager.Peers.ReadAsync(cts.Token);
            sw.Stop();
            output.WriteLine($"first peer after {sw.Elapsed.TotalMilliseconds:0} ms (dead UDP tier 1, dead HTTP tier 2, opentracker tier 3)");
            Assert.Equal(tracker.AnnounceUrl, batch.TrackerUrl);
            Assert.Contains(IPEndPoint.Parse("127.0.0.1:40009"), batch.Peers);
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
        }
        finally
        {
            deadHttp.Stop();
        }
    }
}
