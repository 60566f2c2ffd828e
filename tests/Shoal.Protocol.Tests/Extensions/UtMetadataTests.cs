using System.Buffers;
using System.Text;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.Tests.PeerWire;

namespace Shoal.Protocol.Tests.Extensions;

public class UtMetadataTests
{
    private static UtMetadataMessage Decode(byte[] payload)
    {
        Assert.True(UtMetadata.TryDecode(new ReadOnlySequence<byte>(payload), out var message, out string? error), error);
        return message;
    }

    [Fact]
    public void Encodes_request_reject_and_data_as_in_BEP_9()
    {
        Assert.Equal("d8:msg_typei0e5:piecei0ee", Encoding.ASCII.GetString(UtMetadata.EncodeRequest(0)));
        Assert.Equal("d8:msg_typei2e5:piecei3ee", Encoding.ASCII.GetString(UtMetadata.EncodeReject(3)));
        Assert.Equal("d8:msg_typei1e5:piecei1e10:total_sizei16390eexyz123",
            Encoding.ASCII.GetString(UtMetadata.EncodeData(1, 16390, "xyz123"u8)));
    }

    [Fact]
    public void Data_round_trips_with_its_trailing_bytes()
    {
        byte[] block = Enumerable.Range(0, 16384).Select(i => (byte)i).ToArray();
        var message = Decode(UtMetadata.EncodeData(2, 40000, block));
        Assert.Equal(UtMetadataType.Data, message.Type);
        Assert.Equal(2, message.Piece);
        Assert.Equal(40000, message.TotalSize);
        Assert.Equal(block, message.Data.ToArray());
        Assert.True(message.IsKnown);
    }

    [Fact]
    public void Decodes_across_segments_and_keeps_no_reference_to_the_input()
    {
        byte[] payload = UtMetadata.EncodeData(0, 5, "hello"u8);
        Assert.True(UtMetadata.TryDecode(Segments.Split(payload, [7, 3]), out var message, out _));
        Array.Clear(payload);
        Assert.Equal("hello"u8.ToArray(), message.Data.ToArray());
    }

    [Fact]
    public void Unknown_message_types_decode_for_the_caller_to_ignore()
    {
        var message = Decode("d8:msg_typei7e5:piecei0ee"u8.ToArray());
        Assert.False(message.IsKnown);
    }

    [Theory]
    [InlineData("i5e")]
    [InlineData("d5:piecei0ee")]
    [InlineData("d8:msg_typei0ee")]
    [InlineData("d8:msg_typei0e5:piecei-1ee")]
    [InlineData("d8:msg_type1:a5:piecei0ee")]
    [InlineData("d8:msg_typei0e5:piecei0e")]
    [InlineData("d8:msg_typei0e5:piecei99999999999ee")]
    public void Malformed_messages_are_errors(string text)
    {
        Assert.False(UtMetadata.TryDecode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out string? error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Data_longer_than_a_piece_is_an_error()
    {
        byte[] payload = UtMetadata.EncodeData(0, 20000, new byte[UtMetadata.PieceLength + 1]);
        Assert.False(UtMetadata.TryDecode(new ReadOnlySequence<byte>(payload), out _, out _));
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(16384, 16384, 1)]
    [InlineData(16385, 1, 2)]
    [InlineData(40000, 7232, 3)]
    public void Piece_arithmetic(long size, int lastPieceSize, int count)
    {
        Assert.Equal(count, UtMetadata.PieceCount(size));
        Assert.Equal(lastPieceSize, UtMetadata.PieceSize(size, count - 1));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(16L * 1024 * 1024 + 1)]
    public void Absurd_sizes_are_not_plausible(long size)
    {
        Assert.False(UtMetadata.IsPlausibleSize(size));
        Assert.Throws<ArgumentOutOfRangeException>(() => UtMetadata.PieceCount(size));
    }

    [Fact]
    public void Validate_checks_piece_range_length_and_total_size()
    {
        var ok = new UtMetadataMessage(UtMetadataType.Data, 2, 40000, new byte[7232]);
        Assert.True(UtMetadata.Validate(ok, 40000, out _));
        Assert.False(UtMetadata.Validate(ok with { Piece = 3 }, 40000, out string? e1));
        Assert.Contains("out of range", e1);
        Assert.False(UtMetadata.Validate(ok with { Data = new byte[7231] }, 40000, out string? e2));
        Assert.Contains("expected 7232", e2);
        Assert.False(UtMetadata.Validate(ok with { Piece = 0 }, 40000, out _)); // a middle piece must be 16 KiB
        Assert.False(UtMetadata.Validate(ok with { TotalSize = 40001 }, 40000, out string? e3));
        Assert.Contains("total_size", e3);
        Assert.False(UtMetadata.Validate(ok with { TotalSize = null }, 40000, out _));
        Assert.True(UtMetadata.Validate(new UtMetadataMessage(UtMetadataType.Request, 2, null, default), 40000, out _));
        Assert.False(UtMetadata.Validate(new UtMetadataMessage(UtMetadataType.Request, 3, null, default), 40000, out _));
    }
}
