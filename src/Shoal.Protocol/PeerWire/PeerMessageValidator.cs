using System.Buffers;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// Checks a framed message against the torrent it belongs to. Framing (<see cref="PeerMessageReader"/>) knows only
/// sizes; this knows piece counts and block geometry. A false result carries a reason fit for a DisconnectReason.
/// </summary>
public sealed class PeerMessageValidator
{
    private readonly TorrentLengths _lengths;

    public PeerMessageValidator(TorrentLengths lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        _lengths = lengths;
    }

    public int PieceCount => _lengths.PieceCount;

    /// <summary>
    /// True when the message makes sense for this torrent. Bitfields are checked for size and spare bits; use
    /// <see cref="TryReadBitfield"/> to get the parsed field in the same step.
    /// </summary>
    public bool IsValid(in PeerMessage message, out string? reason)
    {
        reason = null;
        switch (message.Id)
        {
            case MessageId.Have or MessageId.Suggest or MessageId.AllowedFast:
                if (!_lengths.IsValidPiece(message.Index))
                {
                    reason = $"{Name(message.Id)} piece {message.Index} is out of range (torrent has {_lengths.PieceCount} pieces)";
                }
                break;
            case MessageId.Request or MessageId.Cancel or MessageId.Reject:
                if (!_lengths.IsServableRequest(message.Index, message.Begin, message.Length))
                {
                    reason = $"{Name(message.Id)} piece={message.Index} begin={message.Begin} length={message.Length} "
                        + $"is not a valid block range (at most {TorrentLengths.BlockSize} bytes inside one of {_lengths.PieceCount} pieces)";
                }
                break;
            case MessageId.Piece:
                if (!_lengths.IsExactBlock(message.Index, message.Begin, message.Length))
                {
                    reason = $"piece piece={message.Index} begin={message.Begin} length={message.Length} is not an exact block of this torrent";
                }
                break;
            case MessageId.Bitfield:
                TryReadBitfield(message, out _, out reason);
                break;
        }
        return reason is null;
    }

    /// <summary>Parses a bitfield message into a <see cref="BitField"/>, or gives the reason it is wrong.</summary>
    public bool TryReadBitfield(in PeerMessage message, out BitField? field, out string? reason)
    {
        field = null;
        if (message.Id != MessageId.Bitfield)
        {
            reason = $"{Name(message.Id)} is not a bitfield";
            return false;
        }
        int expected = BitField.ByteLengthFor(_lengths.PieceCount);
        if (message.Payload.Length != expected)
        {
            reason = $"bitfield is {message.Payload.Length} bytes, expected {expected} for {_lengths.PieceCount} pieces";
            return false;
        }
        var payload = message.Payload;
        ReadOnlySpan<byte> wire = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        field = BitField.TryFromWire(wire, _lengths.PieceCount, out reason);
        return field is not null;
    }

    private static string Name(MessageId id) => id switch
    {
        MessageId.AllowedFast => "allowed-fast",
        _ => id.ToString().ToLowerInvariant(),
    };
}
