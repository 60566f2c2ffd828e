using System.Buffers;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class PeerMessageWriterTests
{
    internal static byte[] Encode(in PeerMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        long n = PeerMessageWriter.Write(writer, message);
        Assert.Equal(n, writer.WrittenCount);
        return writer.WrittenSpan.ToArray();
    }

    public static TheoryData<string> AllKinds => new()
    {
        "keep-alive", "choke", "unchoke", "interested", "not-interested", "have", "bitfield", "request", "piece",
        "cancel", "port", "suggest", "have-all", "have-none", "reject", "allowed-fast", "extended", "unknown",
    };

    internal static PeerMessage Sample(string kind) => kind switch
    {
        "keep-alive" => PeerMessage.KeepAlive,
        "choke" => PeerMessage.Choke,
        "unchoke" => PeerMessage.Unchoke,
        "interested" => PeerMessage.Interested,
        "not-interested" => PeerMessage.NotInterested,
        "have" => PeerMessage.Have(123456),
        "bitfield" => PeerMessage.Bitfield(new byte[] { 0xF0, 0x01 }),
        "request" => PeerMessage.Request(12, 16384, 16384),
        "piece" => PeerMessage.Piece(3, 0, Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()),
        "cancel" => PeerMessage.Cancel(12, 16384, 16384),
        "port" => PeerMessage.Port(6881),
        "suggest" => PeerMessage.Suggest(9),
        "have-all" => PeerMessage.HaveAll,
        "have-none" => PeerMessage.HaveNone,
        "reject" => PeerMessage.Reject(1, 32768, 100),
        "allowed-fast" => PeerMessage.AllowedFast(77),
        "extended" => PeerMessage.Extended(3, "d8:msg_typei0e5:piecei0ee"u8.ToArray()),
        "unknown" => PeerMessage.Unknown(200, new ReadOnlySequence<byte>(new byte[] { 1, 2 })),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Every_message_round_trips_through_the_reader(string kind)
    {
        var original = Sample(kind);
        var wire = Encode(original);
        Assert.Equal(PeerMessageWriter.SizeOf(original), wire.Length);
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.Equal(FrameStatus.Done, PeerMessageReader.TryRead(ref buffer, out var decoded, out _));
        Assert.True(buffer.IsEmpty);
        Assert.Equal(Snapshot.Of(original), Snapshot.Of(decoded));
    }

    [Fact]
    public void Span_writers_produce_the_documented_bytes()
    {
        var b = new byte[32];
        Assert.Equal(17, PeerMessageWriter.WriteRequest(b, 1, 0x4000, 0x4000));
        Assert.Equal(new byte[] { 0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0x40, 0, 0, 0, 0x40, 0 }, b[..17]);
        Assert.Equal(9, PeerMessageWriter.WriteHave(b, 0x01020304));
        Assert.Equal(new byte[] { 0, 0, 0, 5, 4, 1, 2, 3, 4 }, b[..9]);
        Assert.Equal(5, PeerMessageWriter.WriteInterested(b));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 2 }, b[..5]);
        Assert.Equal(7, PeerMessageWriter.WritePort(b, 6881));
        Assert.Equal(new byte[] { 0, 0, 0, 3, 9, 0x1A, 0xE1 }, b[..7]);
        Assert.Equal(4, PeerMessageWriter.WriteKeepAlive(b));
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, b[..4]);
    }

    [Fact]
    public void Piece_header_announces_the_block_sent_after_it()
    {
        var header = new byte[PeerMessageWriter.PieceHeaderSize];
        Assert.Equal(13, PeerMessageWriter.WritePieceHeader(header, 3, 16384, 16384));
        Assert.Equal(new byte[] { 0, 0, 0x40, 9, 7, 0, 0, 0, 3, 0, 0, 0x40, 0 }, header);
        var block = new byte[16384];
        block[0] = 0x55;
        var whole = new byte[13 + block.Length];
        PeerMessageWriter.WritePiece(whole, 3, 16384, block);
        Assert.Equal(Encode(PeerMessage.Piece(3, 16384, block)), whole);
        Assert.Equal(whole, header.Concat(block).ToArray());
    }

    [Fact]
    public void Bitfield_and_extended_span_writers_match_the_generic_writer()
    {
        var b = new byte[64];
        int n = PeerMessageWriter.WriteBitfield(b, new byte[] { 0xF0, 0x01 });
        Assert.Equal(Encode(PeerMessage.Bitfield(new byte[] { 0xF0, 0x01 })), b[..n]);
        n = PeerMessageWriter.WriteExtended(b, 3, "de"u8);
        Assert.Equal(Encode(PeerMessage.Extended(3, "de"u8.ToArray())), b[..n]);
        n = PeerMessageWriter.WriteReject(b, 1, 2, 3);
        Assert.Equal(Encode(PeerMessage.Reject(1, 2, 3)), b[..n]);
    }

    [Fact]
    public void Too_small_destination_is_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => PeerMessageWriter.WriteRequest(new byte[16], 0, 0, 0));
        Assert.Throws<ArgumentException>(() => PeerMessageWriter.WritePieceHeader(new byte[12], 0, 0, 0));
    }
}
