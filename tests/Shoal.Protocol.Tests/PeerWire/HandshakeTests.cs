using System.Buffers;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class HandshakeTests
{
    private static readonly InfoHash Hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
    private static readonly PeerId Id = new("-SH0001-abcdefghijkl"u8);

    private static byte[] Wire(ReservedBits reserved)
    {
        var bytes = new byte[Handshake.Length];
        Assert.Equal(68, new Handshake(reserved, Hash, Id).Write(bytes));
        return bytes;
    }

    [Fact]
    public void Write_lays_out_the_68_bytes_of_BEP_3()
    {
        var bytes = Wire(ReservedBits.Shoal);
        Assert.Equal(19, bytes[0]);
        Assert.Equal("BitTorrent protocol"u8.ToArray(), bytes[1..20]);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0x04 }, bytes[20..28]);
        Assert.Equal(Hash.Span.ToArray(), bytes[28..48]);
        Assert.Equal(Id.Span.ToArray(), bytes[48..68]);
    }

    [Fact]
    public void Round_trips_byte_by_byte()
    {
        var bytes = Wire(new ReservedBits().WithDht().WithFast());
        for (int n = 0; n < bytes.Length; n++)
        {
            Assert.Equal(FrameStatus.NeedMore, Handshake.TryRead(new ReadOnlySequence<byte>(bytes, 0, n), out _, out int c, out _));
            Assert.Equal(0, c);
        }
        var seq = Segments.Split(bytes, [1, 3, 7]);
        Assert.Equal(FrameStatus.Done, Handshake.TryRead(seq, out var hs, out int consumed, out _));
        Assert.Equal(68, consumed);
        Assert.Equal(Hash, hs!.InfoHash);
        Assert.Equal(Id, hs.PeerId);
        Assert.True(hs.Reserved.SupportsDht);
        Assert.True(hs.Reserved.SupportsFast);
        Assert.False(hs.Reserved.SupportsExtensionProtocol);
    }

    [Fact]
    public void Header_is_readable_before_the_peer_id_arrives()
    {
        var bytes = Wire(ReservedBits.Shoal);
        var status = Handshake.TryReadHeader(new ReadOnlySequence<byte>(bytes, 0, Handshake.PrefixLength), out var reserved, out var hash, out _);
        Assert.Equal(FrameStatus.Done, status);
        Assert.Equal(Hash, hash);
        Assert.True(reserved.SupportsExtensionProtocol);
    }

    [Fact]
    public void Wrong_pstrlen_is_invalid_on_the_first_byte()
    {
        var status = Handshake.TryRead(new ReadOnlySequence<byte>(new byte[] { 20 }), out _, out _, out var error);
        Assert.Equal(FrameStatus.Invalid, status);
        Assert.Equal(FrameErrorCode.BadProtocolHeader, error.Code);
        Assert.Contains("20", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_protocol_name_is_invalid_as_soon_as_it_differs()
    {
        var bytes = Wire(ReservedBits.Shoal);
        bytes[5] = (byte)'X';
        Assert.Equal(FrameStatus.NeedMore, Handshake.TryRead(new ReadOnlySequence<byte>(bytes, 0, 5), out _, out _, out _));
        var status = Handshake.TryRead(new ReadOnlySequence<byte>(bytes, 0, 6), out _, out _, out var error);
        Assert.Equal(FrameStatus.Invalid, status);
        Assert.Contains("BitTorrent protocol", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Reserved_bits_map_to_the_documented_bytes()
    {
        Assert.True(ReservedBits.Read(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0 }).SupportsExtensionProtocol);
        Assert.True(ReservedBits.Read(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x04 }).SupportsFast);
        Assert.True(ReservedBits.Read(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x01 }).SupportsDht);
        var none = ReservedBits.Read(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff, 0xfa });
        Assert.False(none.SupportsExtensionProtocol || none.SupportsFast || none.SupportsDht);
        Assert.False(ReservedBits.Shoal.WithFast(false).SupportsFast);
    }

    [Fact]
    public void Describe_names_bits_and_prints_hash_and_peer_id()
    {
        var hs = new Handshake(ReservedBits.Shoal.WithDht(), Hash, Id);
        Assert.Equal(
            "handshake reserved=ext,fast,dht info_hash=0123456789abcdef0123456789abcdef01234567 peer_id=-SH0001-abcdefghijkl",
            hs.Describe());
        Assert.Equal("none", default(ReservedBits).Describe());
        Assert.Equal("other=8000000000000000", new ReservedBits(1UL << 63).Describe());
    }
}
