using System.Buffers;
using System.Buffers.Binary;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class PeerMessageReaderTests
{
    private static byte[] Frame(byte id, params byte[] body)
    {
        var bytes = new byte[5 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 1 + body.Length);
        bytes[4] = id;
        body.CopyTo(bytes, 5);
        return bytes;
    }

    private static byte[] Prefix(uint length, params byte[] rest)
    {
        var bytes = new byte[4 + rest.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, length);
        rest.CopyTo(bytes, 4);
        return bytes;
    }

    private static FrameStatus Read(byte[] bytes, out PeerMessage message, out FrameError error)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        return PeerMessageReader.TryRead(ref buffer, out message, out error);
    }

    [Fact]
    public void Keep_alive_is_a_zero_length_prefix()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 0, 0, 0 });
        Assert.Equal(FrameStatus.Done, PeerMessageReader.TryRead(ref buffer, out var m, out _));
        Assert.Equal(MessageId.KeepAlive, m.Id);
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void Need_more_leaves_the_buffer_untouched()
    {
        var wire = PeerMessageWriterTests.Encode(PeerMessage.Request(1, 2, 3));
        for (int n = 0; n < wire.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(wire, 0, n);
            Assert.Equal(FrameStatus.NeedMore, PeerMessageReader.TryRead(ref buffer, out _, out _));
            Assert.Equal(n, buffer.Length);
        }
    }

    [Fact]
    public void Many_messages_in_one_buffer_are_read_in_order()
    {
        byte[] wire = [.. PeerMessageWriterTests.Encode(PeerMessage.Unchoke), .. PeerMessageWriterTests.Encode(PeerMessage.Have(7)),
            .. PeerMessageWriterTests.Encode(PeerMessage.KeepAlive), .. PeerMessageWriterTests.Encode(PeerMessage.Request(1, 16384, 16384))];
        var (messages, error) = Segments.Feed(wire, [wire.Length]);
        Assert.Null(error);
        Assert.Equal([MessageId.Unchoke, MessageId.Have, MessageId.KeepAlive, MessageId.Request], messages.Select(m => m.Id));
        Assert.Equal(7, messages[1].Index);
        Assert.Equal(new Snapshot(MessageId.Request, 1, 16384, 16384, ""), messages[3]);
    }

    [Fact]
    public void Piece_split_byte_by_byte_decodes_to_the_same_block()
    {
        var block = Enumerable.Range(0, 16384).Select(i => (byte)(i * 7)).ToArray();
        byte[] wire = [.. PeerMessageWriterTests.Encode(PeerMessage.Piece(3, 16384, block)), .. PeerMessageWriterTests.Encode(PeerMessage.Choke)];
        var (messages, error) = Segments.Feed(wire, [1]);
        Assert.Null(error);
        Assert.Equal(2, messages.Count);
        Assert.Equal(new Snapshot(MessageId.Piece, 3, 16384, 16384, Convert.ToHexString(block)), messages[0]);
        Assert.Equal(MessageId.Choke, messages[1].Id);
    }

    [Fact]
    public void Piece_block_is_a_slice_of_the_input_not_a_copy()
    {
        var wire = PeerMessageWriterTests.Encode(PeerMessage.Piece(0, 0, new byte[100]));
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.Equal(FrameStatus.Done, PeerMessageReader.TryRead(ref buffer, out var m, out _));
        Assert.True(m.Payload.IsSingleSegment);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m.Payload.First, out var segment));
        Assert.Same(wire, segment.Array);
        Assert.Equal(13, segment.Offset);
    }

    [Theory]
    [InlineData(0, 2)]  // choke with a body
    [InlineData(4, 4)]  // have too short
    [InlineData(4, 6)]
    [InlineData(6, 12)] // request
    [InlineData(8, 14)] // cancel
    [InlineData(9, 2)]  // port
    [InlineData(14, 2)] // have all
    [InlineData(16, 13 + 4)]
    [InlineData(17, 1)]
    [InlineData(7, 8)]  // piece shorter than its header
    [InlineData(20, 1)] // extended without its id byte
    public void Wrong_length_for_the_id_is_invalid(byte id, int length)
    {
        var bytes = Prefix((uint)length, id);
        Assert.Equal(FrameStatus.Invalid, Read(bytes, out _, out var error));
        Assert.Equal(FrameErrorCode.WrongLength, error.Code);
        Assert.Contains($"length {length}", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(7, 9 + 16384 + 1)]
    [InlineData(5, 1 + 1024 * 1024 + 1)]
    [InlineData(20, 2 + 1024 * 1024 + 1)]
    [InlineData(99, 1 + 1024 * 1024 + 1)]
    public void Length_above_the_bound_for_the_id_is_invalid_from_five_bytes(byte id, int length)
    {
        Assert.Equal(FrameStatus.Invalid, Read(Prefix((uint)length, id), out _, out var error));
        Assert.Equal(FrameErrorCode.LengthTooLarge, error.Code);
    }

    [Fact]
    public void Huge_prefix_is_rejected_from_four_bytes_without_allocating()
    {
        var bytes = Prefix(uint.MaxValue);
        Read(bytes, out _, out _); // warm up
        var buffer = new ReadOnlySequence<byte>(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var status = PeerMessageReader.TryRead(ref buffer, out _, out var error);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(FrameStatus.Invalid, status);
        Assert.Equal(FrameErrorCode.LengthTooLarge, error.Code);
        Assert.Contains("4294967295", error.Reason, StringComparison.Ordinal);
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for a rejected prefix"); // only the reason string
    }

    [Fact]
    public void Fixed_size_messages_allocate_nothing()
    {
        byte[] wire = [.. PeerMessageWriterTests.Encode(PeerMessage.Have(1)), .. PeerMessageWriterTests.Encode(PeerMessage.Request(1, 2, 3)),
            .. PeerMessageWriterTests.Encode(PeerMessage.Unchoke), .. PeerMessageWriterTests.Encode(PeerMessage.Piece(1, 0, new byte[64]))];
        var seq = Segments.Split(wire, [3, 5, 2]);
        int Drain()
        {
            var buffer = seq;
            int n = 0;
            while (PeerMessageReader.TryRead(ref buffer, out var m, out _) == FrameStatus.Done)
            {
                n += m.Index;
            }
            return n;
        }
        Drain();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = Drain();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(3, sum);
    }

    [Fact]
    public void Unknown_ids_are_framed_and_skipped_by_length()
    {
        byte[] wire = [.. Frame(42, 1, 2, 3), .. PeerMessageWriterTests.Encode(PeerMessage.Interested)];
        var (messages, error) = Segments.Feed(wire, [2]);
        Assert.Null(error);
        Assert.Equal(42, (int)messages[0].Id);
        Assert.Equal("010203", messages[0].PayloadHex);
        Assert.Equal(MessageId.Interested, messages[1].Id);
    }

    [Fact]
    public void Limits_are_configurable()
    {
        var limits = PeerWireLimits.Default with { MaxBlockLength = 32 * 1024 };
        var wire = PeerMessageWriterTests.Encode(PeerMessage.Piece(0, 0, new byte[32 * 1024]));
        Assert.Equal(FrameStatus.Invalid, Read(wire, out _, out _));
        var buffer = new ReadOnlySequence<byte>(wire);
        Assert.Equal(FrameStatus.Done, PeerMessageReader.TryRead(ref buffer, out var m, out _, limits));
        Assert.Equal(32 * 1024, m.Length);
    }

    [Fact]
    public void Extended_splits_the_extended_id_from_its_payload()
    {
        var wire = Frame(20, [0, .. "d1:md6:ut_pexi1eee"u8, 0xAA]);
        Assert.Equal(FrameStatus.Done, Read(wire, out var m, out _));
        Assert.Equal(MessageId.Extended, m.Id);
        Assert.Equal(0, m.ExtendedId);
        Assert.Equal([.. "d1:md6:ut_pexi1eee"u8, 0xAA], m.Payload.ToArray());
    }

    [Fact]
    public void Port_reads_an_unsigned_16_bit_port()
    {
        Assert.Equal(FrameStatus.Done, Read(Frame(9, 0xC8, 0xD5), out var m, out _));
        Assert.Equal(51413, m.DhtPort);
    }
}
