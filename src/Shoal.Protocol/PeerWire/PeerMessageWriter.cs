using System.Buffers;
using System.Buffers.Binary;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// Writes peer-wire messages (length prefix included). Each method returns the bytes written and throws
/// <see cref="ArgumentException"/> when the destination is too small: that is a caller bug, not peer input.
/// </summary>
public static class PeerMessageWriter
{
    /// <summary>Keep-alive: just a zero length prefix.</summary>
    public const int KeepAliveSize = 4;

    /// <summary>choke, unchoke, interested, not interested, have all, have none.</summary>
    public const int NoPayloadSize = 5;

    /// <summary>have, suggest, allowed fast.</summary>
    public const int PieceIndexSize = 9;

    /// <summary>request, cancel, reject.</summary>
    public const int BlockRangeSize = 17;

    /// <summary>port.</summary>
    public const int PortSize = 7;

    /// <summary>Piece header (prefix, id, index, begin) written before the block itself.</summary>
    public const int PieceHeaderSize = 13;

    /// <summary>Extended header (prefix, id, extended id) written before the payload.</summary>
    public const int ExtendedHeaderSize = 6;

    public static int WriteKeepAlive(Span<byte> destination)
    {
        Check(destination, KeepAliveSize);
        BinaryPrimitives.WriteUInt32BigEndian(destination, 0);
        return KeepAliveSize;
    }

    public static int WriteChoke(Span<byte> destination) => WriteNoPayload(destination, MessageId.Choke);

    public static int WriteUnchoke(Span<byte> destination) => WriteNoPayload(destination, MessageId.Unchoke);

    public static int WriteInterested(Span<byte> destination) => WriteNoPayload(destination, MessageId.Interested);

    public static int WriteNotInterested(Span<byte> destination) => WriteNoPayload(destination, MessageId.NotInterested);

    public static int WriteHaveAll(Span<byte> destination) => WriteNoPayload(destination, MessageId.HaveAll);

    public static int WriteHaveNone(Span<byte> destination) => WriteNoPayload(destination, MessageId.HaveNone);

    public static int WriteHave(Span<byte> destination, int piece) => WritePieceIndex(destination, MessageId.Have, piece);

    public static int WriteSuggest(Span<byte> destination, int piece) => WritePieceIndex(destination, MessageId.Suggest, piece);

    public static int WriteAllowedFast(Span<byte> destination, int piece) => WritePieceIndex(destination, MessageId.AllowedFast, piece);

    public static int WriteRequest(Span<byte> destination, int piece, int begin, int length) =>
        WriteBlockRange(destination, MessageId.Request, piece, begin, length);

    public static int WriteCancel(Span<byte> destination, int piece, int begin, int length) =>
        WriteBlockRange(destination, MessageId.Cancel, piece, begin, length);

    public static int WriteReject(Span<byte> destination, int piece, int begin, int length) =>
        WriteBlockRange(destination, MessageId.Reject, piece, begin, length);

    public static int WritePort(Span<byte> destination, ushort port)
    {
        Check(destination, PortSize);
        WriteHeader(destination, 3, MessageId.Port);
        BinaryPrimitives.WriteUInt16BigEndian(destination[5..], port);
        return PortSize;
    }

    /// <summary>Bitfield of <paramref name="bits"/> wire bytes (e.g. <see cref="BitField.Bytes"/>).</summary>
    public static int WriteBitfield(Span<byte> destination, ReadOnlySpan<byte> bits)
    {
        Check(destination, NoPayloadSize + bits.Length);
        WriteHeader(destination, 1 + bits.Length, MessageId.Bitfield);
        bits.CopyTo(destination[5..]);
        return NoPayloadSize + bits.Length;
    }

    /// <summary>
    /// The 13-byte piece header for a block of <paramref name="blockLength"/> bytes; send the block itself right after
    /// from your own buffer.
    /// </summary>
    public static int WritePieceHeader(Span<byte> destination, int piece, int begin, int blockLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blockLength);
        Check(destination, PieceHeaderSize);
        WriteHeader(destination, 9 + blockLength, MessageId.Piece);
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], piece);
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], begin);
        return PieceHeaderSize;
    }

    /// <summary>Header and block together, for tests and small writers.</summary>
    public static int WritePiece(Span<byte> destination, int piece, int begin, ReadOnlySpan<byte> block)
    {
        Check(destination, PieceHeaderSize + block.Length);
        WritePieceHeader(destination, piece, begin, block.Length);
        block.CopyTo(destination[PieceHeaderSize..]);
        return PieceHeaderSize + block.Length;
    }

    /// <summary>The 6-byte extended header for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public static int WriteExtendedHeader(Span<byte> destination, byte extendedId, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        Check(destination, ExtendedHeaderSize);
        WriteHeader(destination, 2 + payloadLength, MessageId.Extended);
        destination[5] = extendedId;
        return ExtendedHeaderSize;
    }

    /// <summary>Extended message: extended id, then the payload (bencoded dictionary and any trailing data).</summary>
    public static int WriteExtended(Span<byte> destination, byte extendedId, ReadOnlySpan<byte> payload)
    {
        Check(destination, ExtendedHeaderSize + payload.Length);
        WriteExtendedHeader(destination, extendedId, payload.Length);
        payload.CopyTo(destination[ExtendedHeaderSize..]);
        return ExtendedHeaderSize + payload.Length;
    }

    /// <summary>Size of <paramref name="message"/> on the wire, prefix included.</summary>
    public static long SizeOf(in PeerMessage message) => message.Id switch
    {
        MessageId.KeepAlive => KeepAliveSize,
        MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested
            or MessageId.HaveAll or MessageId.HaveNone => NoPayloadSize,
        MessageId.Have or MessageId.Suggest or MessageId.AllowedFast => PieceIndexSize,
        MessageId.Request or MessageId.Cancel or MessageId.Reject => BlockRangeSize,
        MessageId.Port => PortSize,
        MessageId.Piece => PieceHeaderSize + message.Payload.Length,
        MessageId.Extended => ExtendedHeaderSize + message.Payload.Length,
        _ => NoPayloadSize + message.Payload.Length, // bitfield and unknown ids: id byte + body
    };

    /// <summary>Writes any message, e.g. one built with the <see cref="PeerMessage"/> factories.</summary>
    public static long Write(IBufferWriter<byte> writer, in PeerMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long size = SizeOf(message);
        int headerSize = (int)(size - message.Payload.Length);
        var span = writer.GetSpan(headerSize);
        switch (message.Id)
        {
            case MessageId.KeepAlive: WriteKeepAlive(span); break;
            case MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested
                or MessageId.HaveAll or MessageId.HaveNone:
                WriteNoPayload(span, message.Id);
                break;
            case MessageId.Have or MessageId.Suggest or MessageId.AllowedFast:
                WritePieceIndex(span, message.Id, message.Index);
                break;
            case MessageId.Request or MessageId.Cancel or MessageId.Reject:
                WriteBlockRange(span, message.Id, message.Index, message.Begin, message.Length);
                break;
            case MessageId.Port: WritePort(span, message.DhtPort); break;
            case MessageId.Piece: WritePieceHeader(span, message.Index, message.Begin, (int)message.Payload.Length); break;
            case MessageId.Extended: WriteExtendedHeader(span, message.ExtendedId, (int)message.Payload.Length); break;
            default: WriteHeader(span, 1 + (int)message.Payload.Length, message.Id); break;
        }
        writer.Advance(headerSize);
        foreach (var segment in message.Payload)
        {
            writer.Write(segment.Span);
        }
        return size;
    }

    private static int WriteNoPayload(Span<byte> destination, MessageId id)
    {
        Check(destination, NoPayloadSize);
        WriteHeader(destination, 1, id);
        return NoPayloadSize;
    }

    private static int WritePieceIndex(Span<byte> destination, MessageId id, int piece)
    {
        Check(destination, PieceIndexSize);
        WriteHeader(destination, 5, id);
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], piece);
        return PieceIndexSize;
    }

    private static int WriteBlockRange(Span<byte> destination, MessageId id, int piece, int begin, int length)
    {
        Check(destination, BlockRangeSize);
        WriteHeader(destination, 13, id);
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], piece);
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], begin);
        BinaryPrimitives.WriteInt32BigEndian(destination[13..], length);
        return BlockRangeSize;
    }

    private static void WriteHeader(Span<byte> destination, int length, MessageId id)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, length);
        destination[4] = (byte)id;
    }

    private static void Check(Span<byte> destination, int needed)
    {
        if (destination.Length < needed)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the message needs {needed}", nameof(destination));
        }
    }
}
