using System.Net;
using System.Text;
using Shoal.Bencoding;
using Shoal.Engine.Trackers;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Tests.Trackers;

public sealed class HttpTrackerClientTests
{
    private static readonly InfoHash Hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");

    private static readonly TrackerOptions Fast = new()
    {
        HttpTimeout = TimeSpan.FromSeconds(2),
        HttpConnectTimeout = TimeSpan.FromSeconds(2),
        MaxResponseBytes = 64 * 1024,
    };

    internal static AnnounceRequest Request(TrackerEvent ev = TrackerEvent.Started) =>
        new(Hash, new PeerId(Encoding.ASCII.GetBytes("-SH0001-abcdefghijkl")), 6881, 0, 0, 1000, ev, 50, 1);

    private static byte[] PeersBody(params string[] endpoints) => BencodeWriter.Encode(new BDictionary
    {
        ["interval"] = new BInteger(900),
        ["complete"] = new BInteger(1),
        ["incomplete"] = new BInteger(2),
        ["peers"] = new BString(CompactPeers.Encode(endpoints.Select(IPEndPoint.Parse))),
    });

    [Fact]
    public async Task Announce_returns_peers_and_sends_the_query()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body(PeersBody("10.0.0.1:6881")));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl + "?passkey=s3cr3t", Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881")], result.Response!.Peers);
        Assert.Equal(900, result.Response.Interval);
        string target = Assert.Single(server.Requests);
        Assert.StartsWith("/announce?passkey=s3cr3t&info_hash=%01%23Eg%89%AB", target, StringComparison.Ordinal);
        Assert.Contains("&event=started", target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_reason_is_the_error_verbatim_even_with_an_error_status()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body("d14:failure reason17:unregistered hashe", 403));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.False(result.IsSuccess);
        Assert.True(result.TrackerRefused);
        Assert.Equal("unregistered hash", result.Error);
    }

    [Fact]
    public async Task Server_error_names_the_status()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body("<html>oops</html>", 500));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.Equal("HTTP 500 Canned", result.Error);
    }

    [Fact]
    public async Task Junk_body_is_an_error_showing_the_start_of_the_body()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body("<html>it works</html>"));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.False(result.IsSuccess);
        Assert.Contains("<html>it works", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_is_followed()
    {
        await using var target = new LoopbackHttpTracker(_ => HttpReply.Body(PeersBody("10.0.0.9:1")));
        await using var server = new LoopbackHttpTracker(t => HttpReply.Redirect(target.AnnounceUrl + t[t.IndexOf('?')..]));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal([IPEndPoint.Parse("10.0.0.9:1")], result.Response!.Peers);
        Assert.Contains("info_hash=%01%23Eg", Assert.Single(target.Requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_loop_ends_as_an_error_after_the_limit()
    {
        LoopbackHttpTracker? self = null;
        await using var server = new LoopbackHttpTracker(t => HttpReply.Redirect($"http://127.0.0.1:{self!.Port}{t}"));
        self = server;
        using var client = new HttpTrackerClient(Fast with { HttpMaxRedirects = 5 });
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.False(result.IsSuccess);
        Assert.Contains("HTTP 302", result.Error, StringComparison.Ordinal);
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task Never_answering_tracker_times_out_with_a_clear_error()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Hang);
        using var client = new HttpTrackerClient(Fast with { HttpTimeout = TimeSpan.FromMilliseconds(500) });
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.Equal("tracker did not answer within 0.5 s", result.Error);
    }

    [Fact]
    public async Task Oversized_body_is_refused()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Endless(1024 * 1024));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.Contains("response too large", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Declared_oversized_body_is_refused_without_reading()
    {
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body(new byte[100 * 1024]));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.Contains("response too large (102400 bytes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refused_connection_is_an_error()
    {
        int port;
        using (var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync($"http://127.0.0.1:{port}/announce", Request(), CancellationToken.None);
        Assert.Equal("connection refused", result.Error);
    }

    [Theory]
    [InlineData("udp://127.0.0.1:1/announce")]
    [InlineData("not a url")]
    public async Task Non_http_url_is_an_error(string url)
    {
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(url, Request(), CancellationToken.None);
        Assert.Contains("not an HTTP tracker URL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ipv6_loopback_tracker_works()
    {
        Assert.True(System.Net.Sockets.Socket.OSSupportsIPv6, "this test needs IPv6 on loopback (::1)");
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body(BencodeWriter.Encode(new BDictionary
        {
            ["interval"] = new BInteger(60),
            ["peers6"] = new BString(CompactPeers.Encode([IPEndPoint.Parse("[::1]:7000")])),
        })), IPAddress.IPv6Loopback);
        using var client = new HttpTrackerClient(Fast);
        var result = await client.AnnounceAsync(server.AnnounceUrl, Request(), CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal(
            [IPEndPoint.Parse("[::1]:7000")],
            result.Response!.Peers);
    }

    [Fact]
    public async Task Scrape_uses_the_scrape_url_and_reads_counts()
    {
        var files = new BDictionary();
        files.Set(new BString(Hash.Memory), new BDictionary
        {
            ["complete"] = new BInteger(4), ["downloaded"] = new BInteger(9), ["incomplete"] = new BInteger(2),
        });
        byte[] body = BencodeWriter.Encode(new BDictionary { ["files"] = files });
        await using var server = new LoopbackHttpTracker(_ => HttpReply.Body(body));
        using var client = new HttpTrackerClient(Fast);
        var result = await client.ScrapeAsync(server.AnnounceUrl, [Hash], CancellationToken.None);
        Assert.True(result.IsSuccess, result.Error);
        Assert.Equal([new ScrapeStats(Hash, 4, 9, 2)], result.Files);
        Assert.StartsWith("/scrape?info_hash=", Assert.Single(server.Requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_without_announce_segment_is_not_supported()
    {
        using var client = new HttpTrackerClient(Fast);
        var result = await client.ScrapeAsync("http://127.0.0.1:1/tracker", [Hash], CancellationToken.None);
        Assert.True(result.NotSupported);
    }
}
