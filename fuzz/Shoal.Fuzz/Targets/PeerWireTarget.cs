using System.Buffers;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Fuzz.Targets;

/// <summary>
/// Peer-wire framing. Input layout: byte 0 picks the torrent geometry and whether a handshake comes first, bytes 1-3
/// are chunk sizes; the rest is the wire. The bytes are framed once in one piece and again arriving chunk by chunk: both
/// must give the same messages and the same final state, NeedMore/Invalid must consume nothing, every framed message
/// must respect the limits, and the validator must accept only in-range requests and well-formed bitfields.
/// </summary>
internal static class PeerWireTarget
{
    private static readonly TorrentLengths[] Geometries =
    [
        new(1, 16384),
        new(3L * 16384 + 5, 16384),
        new((1L << 20) + 1, 32768),
        new(10L << 30, 4 << 20),
        new(7, 1),
    ];

    public static void Run(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            return;
        }
        byte control = data[0];
        var sizes = data.Slice(1, 3).ToArray();
        var wire = data[4..].ToArray();
        var lengths = Geometries[(control & 0x7f) % Geometries.Length];
        int start = 0;
        if ((control & 0x80) != 0)
        {
            start = CheckHandshake(wire, sizes);
            if (start < 0)
            {
                return;
            }
        }
        var body = wire[start..];
        var whole = Oracle.WithinBudget(body.Length, 64, () => Frame(new ReadOnlySequence<byte>(body)), "framing");
        var chunked = FrameArriving(body, sizes);
        Oracle.Check(whole.Messages.Count == chunked.Messages.Count && whole.Messages.SequenceEqual(chunked.Messages),
            $"one piece framed {whole.Messages.Count} messages, chunked framing {chunked.Messages.Count}");
        Oracle.Check(whole.End == chunked.End, $"one piece ended {whole.End}, chunked ended {chunked.End}");

        var validator = new PeerMessageValidator(lengths);
        var buffer = new ReadOnlySequence<byte>(body);
        while (PeerMessageReader.TryRead(ref buffer, out var message, out _) == FrameStatus.Done)
        {
            Validate(validator, lengths, message);
        }
    }

    private static int CheckHandshake(byte[] wire, byte[] sizes)
    {
        var status = Handshake.TryRead(Chunks.Split(wire, sizes), out var handshake, out int consumed, out var error);
        var single = Handshake.TryRead(new ReadOnlySequence<byte>(wire), out var handshake2, out int consumed2, out _);
        Oracle.Check(status == single && consumed == consumed2 && handshake == handshake2, "handshake depends on chunking");
        switch (status)
        {
            case FrameStatus.Done:
                Oracle.Check(consumed == Handshake.Length && handshake is not null, $"handshake consumed {consumed}");
                var again = new byte[Handshake.Length];
                Oracle.Check(handshake!.Write(again) == Handshake.Length, "handshake write length");
                Oracle.Check(again.AsSpan().SequenceEqual(wire.AsSpan(0, Handshake.Length)), "handshake does not re-encode to its input");
                return consumed;
            case FrameStatus.NeedMore:
                Oracle.Check(consumed == 0 && wire.Length < Handshake.Length, $"handshake NeedMore with {wire.Length} bytes");
                return -1;
            default:
                Oracle.Check(consumed == 0 && error.Code == FrameErrorCode.BadProtocolHeader && error.Reason is not null, "handshake error shape");
                return -1;
        }
    }

    private readonly record struct Framed(int Id, int Index, int Begin, int Length, string Payload);

    private sealed record Outcome(List<Framed> Messages, string End);

    private static Outcome Frame(ReadOnlySequence<byte> buffer)
    {
        var messages = new List<Framed>();
        while (true)
        {
            long before = buffer.Length;
            var status = PeerMessageReader.TryRead(ref buffer, out var message, out var error);
            if (status != FrameStatus.Done)
            {
                Oracle.Check(buffer.Length == before, $"{status} consumed bytes");
                Oracle.Check((status == FrameStatus.Invalid) == (error.Reason is not null), $"{status} error reason mismatch");
                return new Outcome(messages, status == FrameStatus.Invalid ? $"invalid {error.Code}" : $"needmore {before}");
            }
            Oracle.Check(buffer.Length < before, "Done consumed nothing");
            Oracle.Check(before - buffer.Length <= PeerMessageReader.LengthPrefixSize + PeerWireLimits.Default.MaxFrameLength, "frame over the limit");
            messages.Add(Snapshot(message));
        }
    }

    /// <summary>Feeds the bytes chunk by chunk, framing after each arrival like a connection loop does.</summary>
    private static Outcome FrameArriving(byte[] body, byte[] sizes)
    {
        var all = Chunks.Split(body, sizes);
        var messages = new List<Framed>();
        long consumed = 0;
        long arrived = 0;
        foreach (var segment in all)
        {
            arrived += segment.Length;
            var buffer = all.Slice(consumed, arrived - consumed);
            while (true)
            {
                long before = buffer.Length;
                var status = PeerMessageReader.TryRead(ref buffer, out var message, out var error);
                if (status == FrameStatus.Invalid)
                {
                    return new Outcome(messages, $"invalid {error.Code}");
                }
                if (status == FrameStatus.NeedMore)
                {
                    break;
                }
                consumed += before - buffer.Length;
                messages.Add(Snapshot(message));
            }
        }
        return new Outcome(messages, $"needmore {body.Length - consumed}");
    }

    private static Framed Snapshot(in PeerMessage m) =>
        new(m.RawId, m.Index, m.Begin, m.Length, Convert.ToHexString(m.Payload.ToArray()));

    private static void Validate(PeerMessageValidator validator, TorrentLengths lengths, in PeerMessage message)
    {
        bool ok = validator.IsValid(message, out string? reason);
        Oracle.Check(ok == (reason is null), "validator verdict and reason disagree");
        if (!ok)
        {
            return;
        }
        switch (message.Id)
        {
            case MessageId.Request or MessageId.Cancel or MessageId.Reject or MessageId.Piece:
                Oracle.Check(message.Index >= 0 && message.Index < lengths.PieceCount, "accepted piece index out of range");
                Oracle.Check(message.Begin >= 0 && message.Length > 0 && message.Length <= TorrentLengths.BlockSize
                    && (long)message.Begin + message.Length <= lengths.PieceSize(message.Index), "accepted block outside its piece");
                break;
            case MessageId.Have or MessageId.Suggest or MessageId.AllowedFast:
                Oracle.Check(message.Index >= 0 && message.Index < lengths.PieceCount, "accepted have index out of range");
                break;
            case MessageId.Bitfield:
                Oracle.Check(validator.TryReadBitfield(message, out var field, out _) && field is not null, "bitfield valid but unreadable");
                break;
            case MessageId.Extended when message.ExtendedId == 0:
                // Must never throw whatever the payload; the verdict itself is free.
                ExtensionHandshake.TryParse(message.Payload, out _, out _);
                break;
        }
    }
}
