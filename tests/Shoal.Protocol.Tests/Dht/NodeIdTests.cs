using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Dht;

public class NodeIdTests
{
    private static NodeId Id(string hex) => NodeId.FromHex(hex.PadRight(40, '0'));

    [Fact]
    public void Bytes_round_trip()
    {
        var bytes = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        var id = new NodeId(bytes);
        Assert.Equal(bytes, id.ToArray());
        Assert.Equal(Convert.ToHexStringLower(bytes), id.ToHex());
    }

    [Fact]
    public void Wrong_length_is_refused()
    {
        Assert.False(NodeId.TryRead(new byte[19], out _));
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[21]));
    }

    [Fact]
    public void Xor_distance_and_common_prefix()
    {
        var a = Id("ff");
        var b = Id("f0");
        Assert.Equal(Id("0f"), a ^ b);
        Assert.Equal(4, a.CommonPrefixLength(b));
        Assert.Equal(160, a.CommonPrefixLength(a));
        Assert.Equal(0, Id("80").CommonPrefixLength(Id("00")));
        var low = NodeId.FromHex("0000000000000000000000000000000000000001");
        Assert.Equal(159, low.CommonPrefixLength(NodeId.Zero));
        var mid = NodeId.FromHex("0000000000000000800000000000000000000000");
        Assert.Equal(64, mid.CommonPrefixLength(NodeId.Zero));
    }

    [Fact]
    public void Closer_node_compares_lower()
    {
        var target = Id("10");
        Assert.True(NodeId.CompareDistance(target, Id("11"), Id("20")) < 0);
        Assert.True(NodeId.CompareDistance(target, Id("90"), Id("20")) > 0);
        Assert.Equal(0, NodeId.CompareDistance(target, Id("33"), Id("33")));
    }

    [Fact]
    public void Ordering_is_big_endian_unsigned()
    {
        Assert.True(Id("01") < Id("80"));
        Assert.True(NodeId.FromHex("00000000000000000000000000000000000000ff") < NodeId.FromHex("0000000000000000000000000000000000000100"));
        Assert.True(NodeId.MaxValue > Id("fe"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(13)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(159)]
    [InlineData(160)]
    public void Random_with_prefix_keeps_the_prefix(int bits)
    {
        var prefix = NodeId.CreateRandom();
        for (int i = 0; i < 20; i++)
        {
            var r = NodeId.RandomWithPrefix(prefix, bits, new Random(i));
            Assert.True(prefix.CommonPrefixLength(r) >= bits);
        }
    }

    [Fact]
    public void Get_bit_counts_from_the_top()
    {
        var id = Id("a0");
        Assert.True(id.GetBit(0));
        Assert.False(id.GetBit(1));
        Assert.True(id.GetBit(2));
        Assert.True(NodeId.FromHex("0000000000000000000000000000000000000001").GetBit(159));
    }
}
