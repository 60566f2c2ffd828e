using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Trackers;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Tests.Trackers;

public sealed class UdpTrackerClientTests
{
    private static readonly IPEndPoint[] Peers = [IPEndPoint.Parse("10.1.2.3:4000"), IPEndPoint.Parse("10.1.2.4:4001")];

    private static readonly TrackerOptions Fast = new() { UdpBaseTimeout = TimeSpan.FromSeconds(1), UdpMaxAttempts = 2 };

    // For tests that wait out the timeouts on purpose.
    private static readonly TrackerOptions Impatient = new() { UdpBaseTimeout = TimeSpan.FromMilliseconds(200), UdpMaxAttempts = 2 };

    private static AnnounceRequest Request() => HttpTrackerClientTests.Request();

    [Fact]
    public async Task Announce_connects_then_announces_and_returns_peers()
    {
        await using var tracker = new FakeUdpTracker(FakeUdpTracker.Honest(Peers));
        var client = new UdpTrackerClient(Fast);
        var result = await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(Peers, result.Response!.Peers);
        Assert.Equal(1800, result.Response.Interval);
        Assert.Equal(1, result.Response.Seeders);
        Assert.Equal(2, result.Response.Leechers);
        byte[] announce = tracker.Requests[1];
        Assert.Equal(0x0BADF00D, System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(announce));
        // BEP 41: "/announce" travels as URL data after the 98-byte body.
        Assert.Equal([2, 9, .. "/announce"u8.ToArray(), 0], announce[98..]);
    }

    [Fact]
    public async Task Connection_id_is_reused_within_a_minute()
    {
        await using var tracker = new FakeUdpTracker(FakeUdpTracker.Honest(Peers));
        var client = new UdpTrackerClient(Fast);
        Assert.True((await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None)).IsSuccess);
        Assert.True((await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None)).IsSuccess);
        Assert.Equal(1, tracker.CountActions(UdpTrackerAction.Connect));
        Assert.Equal(2, tracker.CountActions(UdpTrackerAction.Announce));
    }

    [Fact]
    public async Task Connection_id_expires()
    {
        await using var tracker = new FakeUdpTracker(FakeUdpTracker.Honest(Peers));
        var client = new UdpTrackerClient(Fast with { UdpConnectionIdLifetime = TimeSpan.Zero });
        Assert.True((await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None)).IsSuccess);
        Assert.True((await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None)).IsSuccess);
        Assert.Equal(2, tracker.CountActions(UdpTrackerAction.Connect));
    }

    [Fact]
    public async Task Wrong_transaction_ids_and_short_packets_are_ignored()
    {
        await using var tracker = new FakeUdpTracker((_, req) =>
        {
            byte[] good = FakeUdpTracker.Answer(req, Peers);
            byte[] wrongTid = (byte[])good.Clone();
            wrongTid[7] ^= 0xFF;
            return [wrongTid, good[..5], good[..(FakeUdpTracker.IsConnect(req) ? 12 : 19)], good];
        });
        var client = new UdpTrackerClient(Fast);
        var result = await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(Peers, result.Response!.Peers);
    }

    [Fact]
    public async Task Lost_reply_is_retransmitted()
    {
        await using var tracker = new FakeUdpTracker((i, req) => i == 0 ? [] : [FakeUdpTracker.Answer(req, Peers)]);
        var client = new UdpTrackerClient(Impatient);
        var result = await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(2, tracker.CountActions(UdpTrackerAction.Connect));
    }

    [Fact]
    public async Task Silent_tracker_is_not_answering_after_the_attempts()
    {
        await using var tracker = new FakeUdpTracker((_, _) => []);
        var client = new UdpTrackerClient(Impatient);
        var result = await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None);
        Assert.Equal("tracker not answering (no reply within 0.6 s)", result.Error);
        Assert.Equal(2, tracker.Requests.Count);
    }

    [Fact]
    public async Task Error_packet_is_the_error_verbatim()
    {
        await using var tracker = new FakeUdpTracker((_, req) =>
            [FakeUdpTracker.IsConnect(req) ? FakeUdpTracker.Answer(req, Peers) : FakeUdpTracker.Error(req, "info hash not whitelisted")]);
        var client = new UdpTrackerClient(Fast);
        var result = await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None);
        Assert.Equal("info hash not whitelisted", result.Error);
        Assert.True(result.TrackerRefused);
    }

    [Fact]
    public async Task Closed_port_is_refused_quickly()
    {
        int port;
        using (var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            port = ((IPEndPoint)u.Client.LocalEndPoint!).Port;
        }
        var client = new UdpTrackerClient(Fast with { UdpBaseTimeout = TimeSpan.FromSeconds(30) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await client.AnnounceAsync($"udp://127.0.0.1:{port}/announce", Request(), cts.Token);
        Assert.Contains("connection refused", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipv6_tracker_gives_18_byte_peers()
    {
        Assert.True(Socket.OSSupportsIPv6, "this test needs IPv6 on loopback (::1)");
        IPEndPoint[] v6 = [IPEndPoint.Parse("[2001:db8::1]:6881")];
        await using var tracker = new FakeUdpTracker(FakeUdpTracker.Honest(v6), IPAddress.IPv6Loopback);
        var client = new UdpTrackerClient(Fast);
        var result = await client.AnnounceAsync(tracker.AnnounceUrl, Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(v6, result.Response!.Peers);
    }

    [Fact]
    public async Task Host_names_are_resolved()
    {
        await using var tracker = new FakeUdpTracker(FakeUdpTracker.Honest(Peers));
        var client = new UdpTrackerClient(Fast);
        var result = await client.AnnounceAsync($"udp://localhost:{tracker.Port}", Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(98, tracker.Requests[^1].Length); // no path: no URL data
    }

    [Theory]
    [InlineData("udp://no-such-host.invalid:80/announce", "host not found")]
    [InlineData("udp://127.0.0.1/announce", "without a port")]
    [InlineData("http://127.0.0.1:80/announce", "not a UDP tracker URL")]
    public async Task Bad_urls_are_errors(string url, string expected)
    {
        var client = new UdpTrackerClient(Fast);
        var result = await client.AnnounceAsync(url, Request(), CancellationToken.None);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_reads_counts_in_request_order()
    {
        await using var tracker = new FakeUdpTracker(FakeUdpTracker.Honest(Peers));
        var client = new UdpTrackerClient(Fast);
        var hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
        var result = await client.ScrapeAsync(tracker.AnnounceUrl, [hash], CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal([new ScrapeStats(hash, 3, 10, 4)], result.Files);
    }
}
