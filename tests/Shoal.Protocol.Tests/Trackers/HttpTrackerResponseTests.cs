using CsCheck;
using System.Net;
using System.Text;
using Shoal.Bencoding;
using Shoal.Protocol.Trackers;

namespace Shoal.Protocol.Tests.Trackers;

public sealed class HttpTrackerResponseTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static AnnounceResponse Parse(byte[] body, int maxPeers = AnnounceResponse.DefaultMaxPeers)
    {
        Assert.True(HttpTrackerResponse.TryParseAnnounce(body, out var r, out string? error, maxPeers), error);
        return r;
    }

    [Fact]
    public void Compact_ipv4_and_ipv6_peers_and_counters_are_read()
    {
        var d = new BDictionary
        {
            ["interval"] = new BInteger(1800),
            ["min interval"] = new BInteger(60),
            ["complete"] = new BInteger(3),
            ["incomplete"] = new BInteger(4),
            ["tracker id"] = new BString("tid"),
            ["warning message"] = new BString("be nice"),
            ["peers"] = new BString(new byte[] { 10, 0, 0, 1, 0x1A, 0xE1, 127, 0, 0, 1, 0, 80 }),
            ["peers6"] = new BString(CompactPeers.Encode([new IPEndPoint(IPAddress.Parse("2001:db8::1"), 6881)])),
        };
        var r = Parse(BencodeWriter.Encode(d));
        Assert.Null(r.FailureReason);
        Assert.Equal(1800, r.Interval);
        Assert.Equal(60, r.MinInterval);
        Assert.Equal(3, r.Seeders);
        Assert.Equal(4, r.Leechers);
        Assert.Equal("tid", r.TrackerId);
        Assert.Equal("be nice", r.WarningMessage);
        Assert.Equal(
            [IPEndPoint.Parse("10.0.0.1:6881"), IPEndPoint.Parse("127.0.0.1:80"), IPEndPoint.Parse("[2001:db8::1]:6881")],
            r.Peers);
    }

    [Fact]
    public void Dictionary_peers_accept_v4_and_v6_and_skip_host_names_and_bad_ports()
    {
        string body = "d8:intervali60e5:peersl"
            + "d2:ip8:10.0.0.27:peer id20:AAAAAAAAAAAAAAAAAAAA4:porti6881ee"
            + "d2:ip3:::14:porti51413ee"
            + "d2:ip11:example.com4:porti1ee"
            + "d2:ip8:10.0.0.34:porti0ee"
            + "d2:ip8:10.0.0.44:porti70000ee"
            + "i5e"
            + "ee";
        var r = Parse(B(body));
        Assert.Equal([IPEndPoint.Parse("10.0.0.2:6881"), IPEndPoint.Parse("[::1]:51413")], r.Peers);
        Assert.Equal(4, r.PeersSkipped);
    }

    [Fact]
    public void Failure_reason_is_kept_verbatim()
    {
        var r = Parse(B("d14:failure reason24:  Torrent not registered8:intervali5ee"));
        Assert.Equal("  Torrent not registered", r.FailureReason);
        Assert.Empty(r.Peers);
    }

    [Fact]
    public void Failure_reason_utf8_text_round_trips()
    {
        byte[] reason = Encoding.UTF8.GetBytes("unregistered torrent — passkey?");
        byte[] body = [.. B($"d14:failure reason{reason.Length}:"), .. reason, .. B("e")];
        Assert.Equal("unregistered torrent — passkey?", Parse(body).FailureReason);
    }

    [Fact]
    public void Huge_compact_list_is_capped_without_allocating_every_peer()
    {
        byte[] peers = new byte[6 * 1_000_000];
        for (int i = 0; i < 1_000_000; i++)
        {
            peers[i * 6] = 10;
            peers[(i * 6) + 5] = 1;
        }
        byte[] body = BencodeWriter.Encode(new BDictionary { ["interval"] = new BInteger(60), ["peers"] = new BString(peers) });
        var r = Parse(body, maxPeers: 2000);
        Assert.Equal(2000, r.Peers.Count);
        Assert.Equal(998_000, r.PeersSkipped);
    }

    [Fact]
    public void Partial_trailing_compact_entry_is_skipped()
    {
        var r = Parse([.. B("d8:intervali5e5:peers8:"), 10, 0, 0, 1, 0x1a, 0xe1, 1, 2, (byte)'e']);
        Assert.Single(r.Peers);
        Assert.Equal(1, r.PeersSkipped);
    }

    [Fact]
    public void Trailing_newline_after_the_dictionary_is_tolerated() =>
        Assert.Equal(60, Parse(B("d8:intervali60e5:peers0:e\n")).Interval);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("<html><body>502 Bad Gateway</body></html>", "<html>")]
    [InlineData("d8:intervali60e5:peers", "truncated")]
    [InlineData("li1ee", "not a bencoded dictionary")]
    [InlineData("d3:foo3:bare", "neither 'peers' nor 'interval'")]
    [InlineData("d5:peersi5ee", "neither a string nor a list")]
    public void Junk_bodies_are_errors_with_a_reason(string body, string expected)
    {
        Assert.False(HttpTrackerResponse.TryParseAnnounce(B(body), out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_files_are_keyed_by_raw_info_hash()
    {
        var hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
        var files = new BDictionary();
        files.Set(new BString(hash.Memory), new BDictionary { ["complete"] = new BInteger(5), ["downloaded"] = new BInteger(50), ["incomplete"] = new BInteger(7) });
        files.Set(new BString("short"), new BDictionary { ["complete"] = new BInteger(1) });
        byte[] body = BencodeWriter.Encode(new BDictionary { ["files"] = files });
        Assert.True(HttpTrackerResponse.TryParseScrape(body, out var r, out string? error), error);
        Assert.Equal([new ScrapeStats(hash, 5, 50, 7)], r.Files);
    }

    [Fact]
    public void Scrape_without_files_is_an_error()
    {
        Assert.False(HttpTrackerResponse.TryParseScrape(B("d3:fooi1ee"), out _, out string? error));
        Assert.Contains("files", error, StringComparison.Ordinal);
    }
}

public sealed class HttpTrackerResponseFuzzTests
{
    [Fact]
    public void Arbitrary_bytes_never_throw()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            _ = HttpTrackerResponse.TryParseAnnounce(bytes, out _, out _);
            _ = HttpTrackerResponse.TryParseScrape(bytes, out _, out _);
        }, iter: 20_000);
    }

    [Fact]
    public void Mutated_valid_responses_never_throw()
    {
        byte[] valid = Encoding.ASCII.GetBytes("d8:completei1e10:incompletei2e8:intervali60e5:peersld2:ip8:10.0.0.14:porti1eee6:peers618:"
            + new string('a', 18) + "e");
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte).Array[1, 4].Sample(edits =>
        {
            byte[] copy = (byte[])valid.Clone();
            foreach (var (i, b) in edits)
            {
                copy[i] = b;
            }
            _ = HttpTrackerResponse.TryParseAnnounce(copy, out _, out _);
        }, iter: 20_000);
    }
}

public sealed class HttpTrackerResponseBoundsTests
{
    [Fact]
    public void Million_entry_dictionary_peer_list_is_capped()
    {
        var sb = new StringBuilder("d8:intervali60e5:peersl");
        sb.Insert(sb.Length, "d2:ip8:10.0.0.14:porti1ee", 10);
        sb.Insert(sb.Length, "de", 1_000_000);
        sb.Append("e8:completei7ee");
        Assert.True(HttpTrackerResponse.TryParseAnnounce(Encoding.ASCII.GetBytes(sb.ToString()), out var r, out string? error, maxPeers: 5), error);
        Assert.Equal(5, r.Peers.Count);
        Assert.Equal(1_000_005, r.PeersSkipped);
        Assert.Equal(7, r.Seeders);
    }

    [Theory]
    [InlineData("d5:peersld2:ip8:10.0.0.14:porti1ee", "truncated")]
    [InlineData("d5:peerslx", "not a bencoded response")]
    [InlineData("di1e5:peerse", "key is not a string")]
    public void Broken_peer_lists_are_errors(string body, string expected)
    {
        Assert.False(HttpTrackerResponse.TryParseAnnounce(Encoding.ASCII.GetBytes(body), out _, out string? error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
