using System.Text;
using Shoal.Protocol.Trackers;

namespace Shoal.Protocol.Tests.Trackers;

public sealed class HttpTrackerUrlTests
{
    private static readonly InfoHash Hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
    private static readonly PeerId Peer = new(Encoding.ASCII.GetBytes("-SH0001-abcdefghijkl"));

    private static AnnounceRequest Request(TrackerEvent ev = TrackerEvent.None, string? trackerId = null) =>
        new(Hash, Peer, 6881, 10, 20, 30, ev, 50, 0xDEADBEEF, trackerId);

    [Fact]
    public void Every_byte_value_encodes_to_itself_when_unreserved_and_to_upper_hex_otherwise()
    {
        for (int b = 0; b < 256; b++)
        {
            string encoded = HttpTrackerUrl.PercentEncode([(byte)b]);
            char c = (char)b;
            bool unreserved = char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
            Assert.Equal(unreserved ? c.ToString() : $"%{b:X2}", encoded);
            // Round trip through the standard decoder gives the byte back.
            byte[] decoded = System.Web.HttpUtility.UrlDecodeToBytes(encoded);
            Assert.Equal([(byte)b], decoded);
        }
    }

    [Fact]
    public void Announce_url_carries_binary_hash_and_all_parameters()
    {
        string url = HttpTrackerUrl.BuildAnnounce("http://t.example/announce", Request(TrackerEvent.Started, "abc 1"));
        Assert.Equal("http://t.example/announce?info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg"
            + "&peer_id=-SH0001-abcdefghijkl&port=6881&uploaded=10&downloaded=20&left=30&compact=1&event=started"
            + "&numwant=50&key=DEADBEEF&trackerid=abc%201", url);
    }

    [Theory]
    [InlineData(TrackerEvent.Started, "&event=started")]
    [InlineData(TrackerEvent.Completed, "&event=completed")]
    [InlineData(TrackerEvent.Stopped, "&event=stopped")]
    public void Events_are_named(TrackerEvent ev, string expected) =>
        Assert.Contains(expected, HttpTrackerUrl.BuildAnnounce("http://t/announce", Request(ev)), StringComparison.Ordinal);

    [Fact]
    public void Regular_announce_has_no_event_parameter() =>
        Assert.DoesNotContain("event=", HttpTrackerUrl.BuildAnnounce("http://t/announce", Request()), StringComparison.Ordinal);

    [Theory]
    [InlineData("http://t/announce.php?passkey=abc", "http://t/announce.php?passkey=abc&info_hash=")]
    [InlineData("http://t/announce?passkey=abc&", "http://t/announce?passkey=abc&info_hash=")]
    [InlineData("http://t/announce?", "http://t/announce?info_hash=")]
    [InlineData("http://t/announce#frag", "http://t/announce?info_hash=")]
    public void Existing_query_is_kept(string announce, string expectedPrefix) =>
        Assert.StartsWith(expectedPrefix, HttpTrackerUrl.BuildAnnounce(announce, Request()), StringComparison.Ordinal);

    [Theory]
    [InlineData("http://example.com/announce", "http://example.com/scrape")]
    [InlineData("http://example.com/x/announce", "http://example.com/x/scrape")]
    [InlineData("http://example.com/announce.php", "http://example.com/scrape.php")]
    [InlineData("http://example.com/announce?x2%0644", "http://example.com/scrape?x2%0644")]
    [InlineData("http://example.com/x/announce?passkey=announce", "http://example.com/x/scrape?passkey=announce")]
    public void Scrape_url_replaces_announce_in_the_last_segment(string announce, string scrape)
    {
        Assert.True(HttpTrackerUrl.TryGetScrapeUrl(announce, out string got));
        Assert.Equal(scrape, got);
    }

    [Theory]
    [InlineData("http://example.com/a")]
    [InlineData("http://example.com/announce/x")]
    [InlineData("http://example.com/x%064announce")]
    [InlineData("http://example.com/x/notannounce")]
    [InlineData("http://announce")]
    public void No_scrape_url_without_announce_as_last_segment(string announce) =>
        Assert.False(HttpTrackerUrl.TryGetScrapeUrl(announce, out _));

    [Fact]
    public void Scrape_request_repeats_info_hash()
    {
        var other = InfoHash.FromHex("ffffffffffffffffffffffffffffffffffffffff");
        string url = HttpTrackerUrl.BuildScrape("http://t/scrape?k=1", [Hash, other]);
        Assert.Equal("http://t/scrape?k=1&info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg&info_hash="
            + string.Concat(Enumerable.Repeat("%FF", 20)), url);
    }
}
