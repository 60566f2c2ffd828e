using System.Net;
using System.Net.Sockets;
using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Dht;

public class CompactFormatTests
{
    [Fact]
    public void Ipv4_peer_is_six_bytes_address_then_big_endian_port()
    {
        var ep = new IPEndPoint(IPAddress.Parse("1.2.3.4"), 0x1AE1);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0x1A, 0xE1 }, CompactFormat.EncodePeer(ep));
        Assert.True(CompactFormat.TryReadPeer([1, 2, 3, 4, 0x1A, 0xE1], out var back));
        Assert.Equal(ep, back);
    }

    [Fact]
    public void Ipv6_peer_is_eighteen_bytes()
    {
        var ep = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 6881);
        var b = CompactFormat.EncodePeer(ep);
        Assert.Equal(18, b.Length);
        Assert.True(CompactFormat.TryReadPeer(b, out var back));
        Assert.Equal(ep, back);
    }

    [Fact]
    public void Mapped_ipv4_encodes_as_ipv4()
    {
        var ep = new IPEndPoint(IPAddress.Parse("1.2.3.4").MapToIPv6(), 80);
        Assert.Equal(6, CompactFormat.EncodePeer(ep).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(17)]
    public void Peer_of_wrong_length_is_refused(int length) => Assert.False(CompactFormat.TryReadPeer(new byte[length], out _));

    [Fact]
    public void Peer_with_port_zero_is_refused() => Assert.False(CompactFormat.TryReadPeer([1, 2, 3, 4, 0, 0], out _));

    [Fact]
    public void Nodes_round_trip_in_both_families()
    {
        var v4 = Enumerable.Range(1, 8).Select(i => new NodeInfo(NodeId.CreateRandom(), new IPEndPoint(IPAddress.Parse($"10.0.0.{i}"), 1000 + i))).ToList();
        var v6 = Enumerable.Range(1, 3).Select(i => new NodeInfo(NodeId.CreateRandom(), new IPEndPoint(IPAddress.Parse($"2001:db8::{i}"), 2000 + i))).ToList();
        var mixed = v4.Concat(v6).ToList();
        var b4 = CompactFormat.EncodeNodes(mixed, AddressFamily.InterNetwork);
        var b6 = CompactFormat.EncodeNodes(mixed, AddressFamily.InterNetworkV6);
        Assert.Equal(8 * 26, b4.Length);
        Assert.Equal(3 * 38, b6.Length);
        Assert.True(CompactFormat.TryReadNodes(b4, AddressFamily.InterNetwork, 64, out var n4, out _));
        Assert.True(CompactFormat.TryReadNodes(b6, AddressFamily.InterNetworkV6, 64, out var n6, out _));
        Assert.Equal(v4, n4);
        Assert.Equal(v6, n6);
    }

    [Fact]
    public void Nodes_not_a_multiple_of_the_record_size_are_refused()
    {
        Assert.False(CompactFormat.TryReadNodes(new byte[27], AddressFamily.InterNetwork, 64, out _, out var error));
        Assert.Contains("multiple", error);
    }

    [Fact]
    public void Too_many_nodes_are_refused_before_parsing()
    {
        Assert.False(CompactFormat.TryReadNodes(new byte[26 * 10], AddressFamily.InterNetwork, 9, out _, out var error));
        Assert.Contains("limit", error);
    }
}
