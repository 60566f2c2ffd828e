using System.Buffers;
using System.Buffers.Binary;

namespace Shoal.Engine.Peers;

/// <summary>Peer-wire message ids (BEP 3).</summary>
public enum MessageId : byte
{
    Choke = 0,
    Unchoke = 1,
    Interested = 2,
    NotInterested = 3,
    Have = 4,
    Bitfield = 5,
    Request = 6,
    Piece = 7,
    Cancel = 8,
    Port = 9,
    /// <summary>Not a wire id: a zero-length keep-alive.</summary>
    KeepAlive = 0xFE,
}

/// <summary>
/// One message to send. Block payloads travel in a pooled buffer (<see cref="Payload"/>, rented from
/// <see cref="BlockBuffers"/>) which the send loop returns after copying; bitfields travel as a plain array.
/// </summary>
internal readonly record struct OutgoingMessage(MessageId Id, int Piece = 0, int Begin = 0, int Length = 0, byte[]? Payload = null)
{
    /// <summary>Bytes this message takes on the wire, length prefix included.</summary>
    public int WireLength => Id switch
    {
        MessageId.KeepAlive => 4,
        MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested => 5,
        MessageId.Have => 9,
        MessageId.Request or MessageId.Cancel => 17,
        MessageId.Piece => 13 + Length,
        MessageId.Bitfield => 5 + Length,
        MessageId.Port => 7,
        _ => throw new InvalidOperationException($"cannot send message id {Id}"),
    };

    /// <summary>Writes the message into <paramref name="dest"/>, which must hold <see cref="WireLength"/> bytes.</summary>
    public void WriteTo(Span<byte> dest)
    {
        if (Id == MessageId.KeepAlive)
        {
            BinaryPrimitives.WriteInt32BigEndian(dest, 0);
            return;
        }
        BinaryPrimitives.WriteInt32BigEndian(dest, WireLength - 4);
        dest[4] = (byte)Id;
        switch (Id)
        {
            case MessageId.Have:
                BinaryPrimitives.WriteInt32BigEndian(dest[5..], Piece);
                break;
            case MessageId.Request or MessageId.Cancel:
                BinaryPrimitives.WriteInt32BigEndian(dest[5..], Piece);
                BinaryPrimitives.WriteInt32BigEndian(dest[9..], Begin);
                BinaryPrimitives.WriteInt32BigEndian(dest[13..], Length);
                break;
            case MessageId.Piece:
                BinaryPrimitives.WriteInt32BigEndian(dest[5..], Piece);
                BinaryPrimitives.WriteInt32BigEndian(dest[9..], Begin);
                Payload.AsSpan(0, Length).CopyTo(dest[13..]);
                break;
            case MessageId.Bitfield:
                Payload.AsSpan(0, Length).CopyTo(dest[5..]);
                break;
            case MessageId.Port:
                BinaryPrimitives.WriteUInt16BigEndian(dest[5..], (ushort)Piece);
                break;
        }
    }

    public override string ToString() => WireTrace.Describe(Id, Piece, Begin, Length);
}

/// <summary>Human-readable message lines for traces and logs: <c>request piece=12 begin=16384 length=16384</c>.</summary>
internal static class WireTrace
{
    public static string Describe(MessageId id, int piece, int begin, int length) => id switch
    {
        MessageId.KeepAlive => "keep-alive",
        MessageId.Choke => "choke",
        MessageId.Unchoke => "unchoke",
        MessageId.Interested => "interested",
        MessageId.NotInterested => "not-interested",
        MessageId.Have => $"have piece={piece}",
        MessageId.Bitfield => $"bitfield bytes={length}",
        MessageId.Request => $"request piece={piece} begin={begin} length={length}",
        MessageId.Piece => $"piece piece={piece} begin={begin} length={length}",
        MessageId.Cancel => $"cancel piece={piece} begin={begin} length={length}",
        MessageId.Port => $"port {piece}",
        _ => $"message id={(int)id} length={length}",
    };
}
