using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class PeerMessageDescribeTests
{
    [Theory]
    [InlineData("request", "request piece=12 begin=16384 length=16384")]
    [InlineData("cancel", "cancel piece=12 begin=16384 length=16384")]
    [InlineData("piece", "piece piece=3 begin=0 length=300")]
    [InlineData("have", "have piece=123456")]
    [InlineData("keep-alive", "keep-alive")]
    [InlineData("not-interested", "not-interested")]
    [InlineData("port", "port 6881")]
    [InlineData("extended", "extended id=3 len=25")]
    [InlineData("unknown", "unknown id=200 len=2")]
    [InlineData("bitfield", "bitfield bytes=2 set=5")]
    [InlineData("allowed-fast", "allowed-fast piece=77")]
    [InlineData("reject", "reject piece=1 begin=32768 length=100")]
    public void Trace_lines_are_readable(string kind, string expected)
    {
        Assert.Equal(expected, PeerWriterSample(kind).Describe());
    }

    [Fact]
    public void Bitfield_with_piece_count_shows_have_over_total()
    {
        var bits = new byte[38];
        for (int i = 0; i < 15; i++)
        {
            bits[i] = 0xff;
        }
        Assert.Equal("bitfield pieces=120/300", PeerMessage.Bitfield(bits).Describe(300));
        Assert.Equal("have piece=7", PeerMessage.Have(7).Describe(300));
    }

    private static PeerMessage PeerWriterSample(string kind) => PeerMessageWriterTests.Sample(kind);
}
