using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class PeerMessageValidatorTests
{
    // 10 pieces of 32 KiB, the last one 10000 bytes: 9 * 32768 + 10000.
    private static readonly PeerMessageValidator Validator = new(new TorrentLengths(9 * 32768 + 10000, 32768));

    private static string? Reason(PeerMessage m)
    {
        bool ok = Validator.IsValid(m, out var reason);
        Assert.Equal(ok, reason is null);
        return reason;
    }

    [Fact]
    public void In_range_messages_pass()
    {
        Assert.Null(Reason(PeerMessage.Have(9)));
        Assert.Null(Reason(PeerMessage.Request(0, 16384, 16384)));
        Assert.Null(Reason(PeerMessage.Request(9, 0, 10000)));
        Assert.Null(Reason(PeerMessage.Cancel(9, 100, 9900)));
        Assert.Null(Reason(PeerMessage.Piece(9, 0, new byte[10000])));
        Assert.Null(Reason(PeerMessage.Bitfield(new byte[] { 0xff, 0xC0 })));
        Assert.Null(Reason(PeerMessage.Unchoke));
    }

    [Fact]
    public void Have_out_of_range_names_the_piece_count()
    {
        Assert.Equal("have piece 10 is out of range (torrent has 10 pieces)", Reason(PeerMessage.Have(10)));
        Assert.NotNull(Reason(PeerMessage.Have(-1)));
        Assert.NotNull(Reason(PeerMessage.AllowedFast(10)));
        Assert.NotNull(Reason(PeerMessage.Suggest(int.MaxValue)));
    }

    [Theory]
    [InlineData(10, 0, 16384)]       // piece out of range
    [InlineData(0, 0, 16385)]        // more than 16 KiB
    [InlineData(0, 0, 0)]            // empty
    [InlineData(0, -1, 100)]         // negative begin
    [InlineData(9, 0, 10001)]        // past the short last piece
    [InlineData(0, 32767, 2)]        // crosses the piece end
    public void Bad_requests_and_cancels_are_rejected(int piece, int begin, int length)
    {
        Assert.Contains("is not a valid block range", Reason(PeerMessage.Request(piece, begin, length)), StringComparison.Ordinal);
        Assert.NotNull(Reason(PeerMessage.Cancel(piece, begin, length)));
        Assert.NotNull(Reason(PeerMessage.Reject(piece, begin, length)));
    }

    [Theory]
    [InlineData(0, 1, 16384)]     // unaligned
    [InlineData(0, 0, 100)]       // short block
    [InlineData(9, 0, 16384)]     // last piece's block is 10000 bytes
    [InlineData(10, 0, 16384)]
    public void Piece_that_is_not_an_exact_block_is_rejected(int piece, int begin, int length)
    {
        var reason = Reason(PeerMessage.Piece(piece, begin, new byte[length]));
        Assert.Equal($"piece piece={piece} begin={begin} length={length} is not an exact block of this torrent", reason);
    }

    [Fact]
    public void Bitfield_of_the_wrong_size_or_with_spare_bits_is_rejected()
    {
        Assert.Equal("bitfield is 1 bytes, expected 2 for 10 pieces", Reason(PeerMessage.Bitfield(new byte[] { 0xff })));
        Assert.NotNull(Reason(PeerMessage.Bitfield(new byte[3])));
        Assert.Contains("spare bits", Reason(PeerMessage.Bitfield(new byte[] { 0, 0x20 })), StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadBitfield_parses_a_multi_segment_payload()
    {
        var payload = Segments.Split([0b1010_0000, 0b0100_0000], [1]);
        Assert.True(Validator.TryReadBitfield(PeerMessage.Bitfield(payload), out var field, out _));
        Assert.Equal([0, 2, 9], field!.SetIndices());
        Assert.False(Validator.TryReadBitfield(PeerMessage.Have(1), out _, out _));
    }
}
