using Shoal.Protocol.Metainfo;

namespace Shoal.Protocol.Tests.Metainfo;

public class MagnetLinkTests
{
    private const string Hex = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    [Fact]
    public void Parses_hex_name_trackers_and_peers()
    {
        var link = MagnetLink.Parse(
            $"magnet:?xt=urn:btih:{Hex.ToUpperInvariant()}&dn=My+File%20%C3%A9&tr=udp%3A%2F%2Ft1%3A80&tr=http%3A%2F%2Ft2%2Fa%3Fb%3Dc&x.pe=10.0.0.1:6881");
        Assert.Equal(Hex, link.InfoHash.ToHex());
        Assert.Equal("My File é", link.DisplayName);
        Assert.Equal(["udp://t1:80", "http://t2/a?b=c"], link.Trackers);
        Assert.Equal(["10.0.0.1:6881"], link.Peers);
    }

    [Fact]
    public void Parses_base32_in_any_case()
    {
        // Base32 of the hex above.
        string b32 = ToBase32(Convert.FromHexString(Hex));
        Assert.Equal(Hex, MagnetLink.Parse($"magnet:?xt=urn:btih:{b32}").InfoHash.ToHex());
        Assert.Equal(Hex, MagnetLink.Parse($"MAGNET:?XT=urn:btih:{b32.ToLowerInvariant()}").InfoHash.ToHex());
    }

    [Fact]
    public void To_uri_round_trips()
    {
        var link = new MagnetLink(InfoHash.FromHex(Hex), "a & b=c", ["udp://t:1/x?y=1&z"], ["[::1]:6881"]);
        var again = MagnetLink.Parse(link.ToUri());
        Assert.Equal(link.InfoHash, again.InfoHash);
        Assert.Equal(link.DisplayName, again.DisplayName);
        Assert.Equal(link.Trackers, again.Trackers);
        Assert.Equal(link.Peers, again.Peers);
    }

    [Theory]
    [InlineData("http://example.com/", "does not start with 'magnet:?'")]
    [InlineData("magnet:?dn=x", "no 'xt=urn:btih:' info hash")]
    [InlineData("magnet:?xt=urn:btih:abcd", "has 4 characters")]
    [InlineData("magnet:?xt=urn:btih:zz2fe1c06bba254a9dc9f519b335aa7c1367a88a", "not hexadecimal")]
    [InlineData("magnet:?xt=urn:btih:11111111111111111111111111111111", "not base32")]
    [InlineData("magnet:?xt=urn:sha1:abc", "unknown exact topic")]
    [InlineData("magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=%zz", "malformed percent escape")]
    public void Bad_links_are_refused_with_one_clear_line(string uri, string expected)
    {
        var ex = Assert.Throws<MetainfoException>(() => MagnetLink.Parse(uri));
        Assert.StartsWith("invalid magnet link: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_only_magnet_has_its_own_message()
    {
        var ex = Assert.Throws<MetainfoException>(() =>
            MagnetLink.Parse("magnet:?xt=urn:btmh:1220caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e"));
        Assert.Equal("BitTorrent v2 magnet links are not supported yet", ex.Message);
    }

    [Fact]
    public void Hybrid_magnet_uses_the_v1_hash()
    {
        var link = MagnetLink.Parse(
            $"magnet:?xt=urn:btih:{Hex}&xt=urn:btmh:1220caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e");
        Assert.Equal(Hex, link.InfoHash.ToHex());
    }

    private static string ToBase32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (byte b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                sb.Append(alphabet[(buffer >> bits) & 31]);
            }
        }
        return sb.ToString();
    }
}
