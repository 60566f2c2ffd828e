using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

/// <summary>
/// One message to send. Block payloads travel in a pooled buffer (<see cref="Payload"/>, from <see cref="BlockBuffers"/>)
/// which the send loop returns once sent; bitfields and extended payloads (<see cref="Piece"/> = extended id) travel
/// as plain arrays.
/// </summary>
internal readonly record struct OutgoingMessage(MessageId Id, int Piece = 0, int Begin = 0, int Length = 0, byte[]? Payload = null)
{
    /// <summary>Bytes this message takes on the wire, length prefix included.</summary>
    public int WireLength => Id switch
    {
        MessageId.KeepAlive => PeerMessageWriter.KeepAliveSize,
        MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested => PeerMessageWriter.NoPayloadSize,
        MessageId.Have => PeerMessageWriter.PieceIndexSize,
        MessageId.Request or MessageId.Cancel => PeerMessageWriter.BlockRangeSize,
        MessageId.Piece => PeerMessageWriter.PieceHeaderSize + Length,
        MessageId.Bitfield => PeerMessageWriter.NoPayloadSize + Length,
        MessageId.Port => PeerMessageWriter.PortSize,
        MessageId.HaveAll or MessageId.HaveNone => PeerMessageWriter.NoPayloadSize,
        MessageId.Suggest or MessageId.AllowedFast => PeerMessageWriter.PieceIndexSize,
        MessageId.Reject => PeerMessageWriter.BlockRangeSize,
        MessageId.Extended => PeerMessageWriter.ExtendedHeaderSize + Length,
        _ => throw new InvalidOperationException($"cannot send message id {Id}"),
    };

    /// <summary>Writes the message into <paramref name="dest"/>, which must hold <see cref="WireLength"/> bytes.</summary>
    public void WriteTo(Span<byte> dest)
    {
        switch (Id)
        {
            case MessageId.KeepAlive: PeerMessageWriter.WriteKeepAlive(dest); break;
            case MessageId.Choke: PeerMessageWriter.WriteChoke(dest); break;
            case MessageId.Unchoke: PeerMessageWriter.WriteUnchoke(dest); break;
            case MessageId.Interested: PeerMessageWriter.WriteInterested(dest); break;
            case MessageId.NotInterested: PeerMessageWriter.WriteNotInterested(dest); break;
            case MessageId.Have: PeerMessageWriter.WriteHave(dest, Piece); break;
            case MessageId.Request: PeerMessageWriter.WriteRequest(dest, Piece, Begin, Length); break;
            case MessageId.Cancel: PeerMessageWriter.WriteCancel(dest, Piece, Begin, Length); break;
            case MessageId.Piece: PeerMessageWriter.WritePiece(dest, Piece, Begin, Payload.AsSpan(0, Length)); break;
            case MessageId.Bitfield: PeerMessageWriter.WriteBitfield(dest, Payload.AsSpan(0, Length)); break;
            case MessageId.Port: PeerMessageWriter.WritePort(dest, (ushort)Piece); break;
            case MessageId.HaveAll: PeerMessageWriter.WriteHaveAll(dest); break;
            case MessageId.HaveNone: PeerMessageWriter.WriteHaveNone(dest); break;
            case MessageId.Suggest: PeerMessageWriter.WriteSuggest(dest, Piece); break;
            case MessageId.AllowedFast: PeerMessageWriter.WriteAllowedFast(dest, Piece); break;
            case MessageId.Reject: PeerMessageWriter.WriteReject(dest, Piece, Begin, Length); break;
            case MessageId.Extended: PeerMessageWriter.WriteExtended(dest, (byte)Piece, Payload.AsSpan(0, Length)); break;
            default: throw new InvalidOperationException($"cannot send message id {Id}");
        }
    }

    /// <summary>Trace text, in the same words as received messages.</summary>
    public string Describe(int pieceCount) => Id switch
    {
        MessageId.Bitfield => PeerMessage.Bitfield(Payload.AsMemory(0, Length)).Describe(pieceCount),
        MessageId.Piece => PeerMessage.Piece(Piece, Begin, Payload.AsMemory(0, Length)).Describe(),
        MessageId.Have => PeerMessage.Have(Piece).Describe(),
        MessageId.Request => PeerMessage.Request(Piece, Begin, Length).Describe(),
        MessageId.Cancel => PeerMessage.Cancel(Piece, Begin, Length).Describe(),
        MessageId.Port => PeerMessage.Port((ushort)Piece).Describe(),
        MessageId.KeepAlive => PeerMessage.KeepAlive.Describe(),
        MessageId.Choke => PeerMessage.Choke.Describe(),
        MessageId.Unchoke => PeerMessage.Unchoke.Describe(),
        MessageId.Interested => PeerMessage.Interested.Describe(),
        MessageId.NotInterested => PeerMessage.NotInterested.Describe(),
        MessageId.HaveAll => PeerMessage.HaveAll.Describe(),
        MessageId.HaveNone => PeerMessage.HaveNone.Describe(),
        MessageId.Suggest => PeerMessage.Suggest(Piece).Describe(),
        MessageId.AllowedFast => PeerMessage.AllowedFast(Piece).Describe(),
        MessageId.Reject => PeerMessage.Reject(Piece, Begin, Length).Describe(),
        MessageId.Extended => Shoal.Engine.Peers.PeerExtensions.DescribeExtended((byte)Piece, Payload.AsMemory(0, Length)),
        _ => Id.ToString(),
    };

    public override string ToString() => Describe(0);
}
