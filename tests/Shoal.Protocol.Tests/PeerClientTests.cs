using System.Text;
using Shoal.Protocol;

namespace Shoal.Protocol.Tests;

public class PeerClientTests
{
    private static PeerId Id(string prefix) => new(Encoding.ASCII.GetBytes(prefix.PadRight(PeerId.Length, 'x')));

    [Theory]
    [InlineData("-TR4060-", "Transmission 4.0.6")]
    [InlineData("-qB4250-", "qBittorrent 4.2.5")]
    [InlineData("-LT2091-", "libtorrent 2.0.9.1")]
    [InlineData("-TR300Z-", "Transmission 3.0.0")]
    [InlineData("-SH0001-", "Shoal 0.0.0.1")]
    [InlineData("-ZZ1200-", "ZZ 1.2.0")]
    [InlineData("A2-1-36-0-", "aria2 1.36.0")]
    [InlineData("M7-2-0--", "BitTorrent 7.2.0")]
    [InlineData("OP1234", "unknown (OP1234xx)")]
    public void Names_the_client_from_its_peer_id(string prefix, string expected) =>
        Assert.Equal(expected, PeerClient.Describe(Id(prefix)));

    [Fact]
    public void Binary_ids_are_unknown()
    {
        var bytes = new byte[PeerId.Length];
        Assert.Equal("unknown", PeerClient.Describe(new PeerId(bytes)));
    }
}
