using System.Buffers;
using System.Buffers.Binary;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// Frames peer-wire messages out of a byte sequence (typically a <c>PipeReader</c> buffer). Pure and stateless:
/// all state is the caller's buffer. See README.md in this folder for the states and bounds.
/// </summary>
/// <example>
/// <code>
/// var buffer = result.Buffer;
/// while (PeerMessageReader.TryRead(ref buffer, out var message, out var error) == FrameStatus.Done) { Handle(message); }
/// // on Invalid: disconnect with error.Reason
/// pipe.AdvanceTo(buffer.Start, buffer.End);
/// </code>
/// </example>
public static class PeerMessageReader
{
    /// <summary>The 4-byte big-endian length prefix.</summary>
    public const int LengthPrefixSize = 4;

    /// <summary>
    /// Tries to frame one message from the start of <paramref name="buffer"/>. On <see cref="FrameStatus.Done"/>
    /// <paramref name="buffer"/> is advanced past the message and <paramref name="message"/>'s payload points into
    /// the old buffer. On NeedMore and Invalid the buffer is left as it was.
    /// </summary>
    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, out PeerMessage message, out FrameError error, PeerWireLimits? limits = null)
    {
        message = default;
        error = default;
        if (buffer.Length < LengthPrefixSize)
        {
            return FrameStatus.NeedMore;
        }
        limits ??= PeerWireLimits.Default;
        uint length = ReadUInt32(buffer);
        if (length == 0)
        {
            message = PeerMessage.KeepAlive;
            buffer = buffer.Slice(LengthPrefixSize);
            return FrameStatus.Done;
        }
        // Checked before anything else is awaited, so a huge prefix costs us 4 bytes, not a buffer.
        if (length > limits.MaxFrameLength)
        {
            error = new FrameError(FrameErrorCode.LengthTooLarge, $"message length {length} exceeds the limit of {limits.MaxFrameLength}");
            return FrameStatus.Invalid;
        }
        if (buffer.Length < LengthPrefixSize + 1)
        {
            return FrameStatus.NeedMore;
        }
        byte id = FirstByteAt(buffer, LengthPrefixSize);
        if (!CheckLength(id, length, limits, out error))
        {
            return FrameStatus.Invalid;
        }
        long total = LengthPrefixSize + (long)length;
        if (buffer.Length < total)
        {
            return FrameStatus.NeedMore;
        }
        var body = buffer.Slice(LengthPrefixSize + 1, length - 1);
        message = Parse(id, body);
        buffer = buffer.Slice(total);
        return FrameStatus.Done;
    }

    private static PeerMessage Parse(byte id, ReadOnlySequence<byte> body)
    {
        switch ((MessageId)id)
        {
            case MessageId.Choke: return PeerMessage.Choke;
            case MessageId.Unchoke: return PeerMessage.Unchoke;
            case MessageId.Interested: return PeerMessage.Interested;
            case MessageId.NotInterested: return PeerMessage.NotInterested;
            case MessageId.HaveAll: return PeerMessage.HaveAll;
            case MessageId.HaveNone: return PeerMessage.HaveNone;
            case MessageId.Have: return PeerMessage.Have(ReadInt32(body));
            case MessageId.Suggest: return PeerMessage.Suggest(ReadInt32(body));
            case MessageId.AllowedFast: return PeerMessage.AllowedFast(ReadInt32(body));
            case MessageId.Bitfield: return PeerMessage.Bitfield(body);
            case MessageId.Port:
                {
                    Span<byte> two = stackalloc byte[2];
                    body.Slice(0, 2).CopyTo(two);
                    return PeerMessage.Port(BinaryPrimitives.ReadUInt16BigEndian(two));
                }
            case MessageId.Request:
            case MessageId.Cancel:
            case MessageId.Reject:
                {
                    ReadTriple(body, out int index, out int begin, out int length);
                    return id switch
                    {
                        (byte)MessageId.Request => PeerMessage.Request(index, begin, length),
                        (byte)MessageId.Cancel => PeerMessage.Cancel(index, begin, length),
                        _ => PeerMessage.Reject(index, begin, length),
                    };
                }
            case MessageId.Piece:
                {
                    Span<byte> head = stackalloc byte[8];
                    body.Slice(0, 8).CopyTo(head);
                    return PeerMessage.Piece(
                        BinaryPrimitives.ReadInt32BigEndian(head),
                        BinaryPrimitives.ReadInt32BigEndian(head[4..]),
                        body.Slice(8));
                }
            case MessageId.Extended:
                return PeerMessage.Extended(FirstByteAt(body, 0), body.Slice(1));
            default:
                return PeerMessage.Unknown(id, body);
        }
    }

    /// <summary>Checks the length prefix against the id: exact for fixed-size ids, bounded for the rest.</summary>
    private static bool CheckLength(byte id, uint length, PeerWireLimits limits, out FrameError error)
    {
        error = default;
        var (min, max) = (MessageId)id switch
        {
            MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested
                or MessageId.HaveAll or MessageId.HaveNone => (1L, 1L),
            MessageId.Have or MessageId.Suggest or MessageId.AllowedFast => (5L, 5L),
            MessageId.Request or MessageId.Cancel or MessageId.Reject => (13L, 13L),
            MessageId.Port => (3L, 3L),
            MessageId.Piece => (9L, 9L + limits.MaxBlockLength),
            MessageId.Bitfield => (1L, 1L + limits.MaxBitfieldLength),
            MessageId.Extended => (2L, 2L + limits.MaxExtendedLength),
            _ => (1L, 1L + limits.MaxUnknownLength),
        };
        if (length < min || length > max)
        {
            string name = Enum.IsDefined((MessageId)id) ? ((MessageId)id).ToString() : $"unknown id {id}";
            string expected = min == max ? $"{min}" : $"{min}..{max}";
            error = new FrameError(
                length > max && min != max ? FrameErrorCode.LengthTooLarge : FrameErrorCode.WrongLength,
                $"{name} message has length {length}, expected {expected}");
            return false;
        }
        return true;
    }

    private static uint ReadUInt32(ReadOnlySequence<byte> buffer)
    {
        var first = buffer.FirstSpan;
        if (first.Length >= 4)
        {
            return BinaryPrimitives.ReadUInt32BigEndian(first);
        }
        Span<byte> four = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(four);
        return BinaryPrimitives.ReadUInt32BigEndian(four);
    }

    private static int ReadInt32(ReadOnlySequence<byte> buffer) => unchecked((int)ReadUInt32(buffer));

    private static void ReadTriple(ReadOnlySequence<byte> body, out int a, out int b, out int c)
    {
        Span<byte> twelve = stackalloc byte[12];
        body.Slice(0, 12).CopyTo(twelve);
        a = BinaryPrimitives.ReadInt32BigEndian(twelve);
        b = BinaryPrimitives.ReadInt32BigEndian(twelve[4..]);
        c = BinaryPrimitives.ReadInt32BigEndian(twelve[8..]);
    }

    private static byte FirstByteAt(ReadOnlySequence<byte> buffer, long offset)
    {
        var first = buffer.FirstSpan;
        return offset < first.Length ? first[(int)offset] : buffer.Slice(offset, 1).FirstSpan[0];
    }
}
