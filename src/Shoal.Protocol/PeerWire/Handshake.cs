using System.Buffers;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// The BEP 3 handshake: <c>19 "BitTorrent protocol"</c>, 8 reserved bytes, 20-byte info hash, 20-byte peer id.
/// </summary>
public sealed record Handshake(ReservedBits Reserved, InfoHash InfoHash, PeerId PeerId)
{
    /// <summary>Total size on the wire.</summary>
    public const int Length = 1 + ProtocolNameLength + ReservedBits.Length + InfoHash.Length + PeerId.Length;

    /// <summary>Bytes up to and including the info hash; enough for an acceptor to pick the torrent.</summary>
    public const int PrefixLength = 1 + ProtocolNameLength + ReservedBits.Length + InfoHash.Length;

    private const int ProtocolNameLength = 19;

    private static ReadOnlySpan<byte> ProtocolName => "BitTorrent protocol"u8;

    /// <summary>Writes the 68 bytes; returns <see cref="Length"/>.</summary>
    public int Write(Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"a handshake needs {Length} bytes", nameof(destination));
        }
        destination[0] = ProtocolNameLength;
        ProtocolName.CopyTo(destination[1..]);
        Reserved.Write(destination.Slice(20, ReservedBits.Length));
        InfoHash.Span.CopyTo(destination[28..]);
        PeerId.Span.CopyTo(destination[48..]);
        return Length;
    }

    /// <summary>
    /// Reads a whole handshake from the start of <paramref name="buffer"/>. The protocol header is checked as soon as
    /// its bytes arrive, so a wrong protocol is reported without waiting for all 68 bytes.
    /// </summary>
    public static FrameStatus TryRead(ReadOnlySequence<byte> buffer, out Handshake? handshake, out int consumed, out FrameError error)
    {
        handshake = null;
        consumed = 0;
        var status = TryReadHeader(buffer, out ReservedBits reserved, out InfoHash infoHash, out error);
        if (status != FrameStatus.Done)
        {
            return status;
        }
        if (buffer.Length < Length)
        {
            return FrameStatus.NeedMore;
        }
        Span<byte> id = stackalloc byte[PeerId.Length];
        buffer.Slice(PrefixLength, PeerId.Length).CopyTo(id);
        handshake = new Handshake(reserved, infoHash, new PeerId(id));
        consumed = Length;
        return FrameStatus.Done;
    }

    /// <summary>
    /// Reads the first <see cref="PrefixLength"/> bytes (protocol, reserved, info hash) so an acceptor can choose the
    /// torrent and answer before the remote peer id arrives. Consumes nothing.
    /// </summary>
    public static FrameStatus TryReadHeader(ReadOnlySequence<byte> buffer, out ReservedBits reserved, out InfoHash infoHash, out FrameError error)
    {
        reserved = default;
        infoHash = default;
        error = default;
        Span<byte> head = stackalloc byte[PrefixLength];
        int have = (int)Math.Min(buffer.Length, PrefixLength);
        buffer.Slice(0, have).CopyTo(head);
        if (have >= 1 && head[0] != ProtocolNameLength)
        {
            error = new FrameError(FrameErrorCode.BadProtocolHeader, $"handshake protocol name length is {head[0]}, expected 19");
            return FrameStatus.Invalid;
        }
        int nameBytes = Math.Min(have - 1, ProtocolNameLength);
        if (nameBytes > 0 && !head.Slice(1, nameBytes).SequenceEqual(ProtocolName[..nameBytes]))
        {
            error = new FrameError(FrameErrorCode.BadProtocolHeader, "handshake protocol name is not \"BitTorrent protocol\"");
            return FrameStatus.Invalid;
        }
        if (have < PrefixLength)
        {
            return FrameStatus.NeedMore;
        }
        reserved = ReservedBits.Read(head.Slice(20, ReservedBits.Length));
        infoHash = new InfoHash(head.Slice(28, InfoHash.Length));
        return FrameStatus.Done;
    }

    /// <summary>One trace line: <c>handshake reserved=ext,fast info_hash=… peer_id=-SH0001-…</c>.</summary>
    public string Describe() =>
        $"handshake reserved={Reserved.Describe()} info_hash={InfoHash.ToHex()} peer_id={PeerId}";
}
