using System.Buffers;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// One framed peer-wire message. Fixed-size messages carry only integers (no allocation). For bitfield, piece,
/// extended and unknown messages <see cref="Payload"/> is a slice of the reader's input: it stays valid only until the
/// caller advances the pipe it came from, so copy what you keep (a piece block straight into a pooled buffer).
/// </summary>
/// <remarks>
/// Field use by kind: have/suggest/allowed-fast: <see cref="Index"/>. request/cancel/reject: Index, Begin, Length.
/// piece: Index, Begin, Length (= block length), Payload (= block). bitfield: Payload. port: <see cref="DhtPort"/>.
/// extended: <see cref="ExtendedId"/>, Payload (bencoded dictionary, possibly followed by raw data).
/// unknown id: <see cref="RawId"/>, Payload (the body after the id byte).
/// </remarks>
public readonly struct PeerMessage
{
    private PeerMessage(MessageId id, int index = 0, int begin = 0, int length = 0, ReadOnlySequence<byte> payload = default)
    {
        Id = id;
        Index = index;
        Begin = begin;
        Length = length;
        Payload = payload;
    }

    public MessageId Id { get; }

    /// <summary>Piece index (have, request, piece, cancel, suggest, reject, allowed fast).</summary>
    public int Index { get; }

    /// <summary>Byte offset inside the piece (request, piece, cancel, reject).</summary>
    public int Begin { get; }

    /// <summary>Block length (request, cancel, reject; for piece the payload length).</summary>
    public int Length { get; }

    /// <summary>Variable part: bitfield bytes, piece block, extended payload after the extended id, unknown body.</summary>
    public ReadOnlySequence<byte> Payload { get; }

    /// <summary>DHT port of a port message.</summary>
    public ushort DhtPort => (ushort)Index;

    /// <summary>Extension message id of an extended message (0 = extension handshake).</summary>
    public byte ExtendedId => (byte)Index;

    /// <summary>The wire id byte; for keep-alive, -1.</summary>
    public int RawId => (int)Id;

    /// <summary>True for ids this reader understands; unknown ids are framed and may be ignored.</summary>
    public bool IsKnown => Enum.IsDefined(Id);

    public static PeerMessage KeepAlive => new(MessageId.KeepAlive);

    public static PeerMessage Choke => new(MessageId.Choke);

    public static PeerMessage Unchoke => new(MessageId.Unchoke);

    public static PeerMessage Interested => new(MessageId.Interested);

    public static PeerMessage NotInterested => new(MessageId.NotInterested);

    public static PeerMessage HaveAll => new(MessageId.HaveAll);

    public static PeerMessage HaveNone => new(MessageId.HaveNone);

    public static PeerMessage Have(int piece) => new(MessageId.Have, piece);

    public static PeerMessage Suggest(int piece) => new(MessageId.Suggest, piece);

    public static PeerMessage AllowedFast(int piece) => new(MessageId.AllowedFast, piece);

    public static PeerMessage Request(int piece, int begin, int length) => new(MessageId.Request, piece, begin, length);

    public static PeerMessage Cancel(int piece, int begin, int length) => new(MessageId.Cancel, piece, begin, length);

    public static PeerMessage Reject(int piece, int begin, int length) => new(MessageId.Reject, piece, begin, length);

    public static PeerMessage Port(ushort port) => new(MessageId.Port, port);

    public static PeerMessage Bitfield(ReadOnlySequence<byte> bits) => new(MessageId.Bitfield, length: (int)bits.Length, payload: bits);

    public static PeerMessage Bitfield(ReadOnlyMemory<byte> bits) => Bitfield(new ReadOnlySequence<byte>(bits));

    public static PeerMessage Piece(int piece, int begin, ReadOnlySequence<byte> block) =>
        new(MessageId.Piece, piece, begin, (int)block.Length, block);

    public static PeerMessage Piece(int piece, int begin, ReadOnlyMemory<byte> block) =>
        Piece(piece, begin, new ReadOnlySequence<byte>(block));

    public static PeerMessage Extended(byte extendedId, ReadOnlySequence<byte> payload) =>
        new(MessageId.Extended, extendedId, length: (int)payload.Length, payload: payload);

    public static PeerMessage Extended(byte extendedId, ReadOnlyMemory<byte> payload) =>
        Extended(extendedId, new ReadOnlySequence<byte>(payload));

    /// <summary>A message with an id we do not know; <paramref name="body"/> is everything after the id byte.</summary>
    public static PeerMessage Unknown(byte id, ReadOnlySequence<byte> body) =>
        new((MessageId)id, length: (int)body.Length, payload: body);

    /// <summary>One trace line, e.g. <c>request piece=12 begin=16384 length=16384</c>.</summary>
    public string Describe() => Id switch
    {
        MessageId.KeepAlive => "keep-alive",
        MessageId.Choke => "choke",
        MessageId.Unchoke => "unchoke",
        MessageId.Interested => "interested",
        MessageId.NotInterested => "not-interested",
        MessageId.HaveAll => "have-all",
        MessageId.HaveNone => "have-none",
        MessageId.Have => $"have piece={Index}",
        MessageId.Suggest => $"suggest piece={Index}",
        MessageId.AllowedFast => $"allowed-fast piece={Index}",
        MessageId.Request => $"request piece={Index} begin={Begin} length={Length}",
        MessageId.Cancel => $"cancel piece={Index} begin={Begin} length={Length}",
        MessageId.Reject => $"reject piece={Index} begin={Begin} length={Length}",
        MessageId.Piece => $"piece piece={Index} begin={Begin} length={Length}",
        MessageId.Port => $"port {DhtPort}",
        MessageId.Bitfield => $"bitfield bytes={Payload.Length} set={CountSetBits(Payload)}",
        MessageId.Extended => $"extended id={ExtendedId} len={Payload.Length}",
        _ => $"unknown id={RawId} len={Payload.Length}",
    };

    /// <summary>Bitfield trace with the piece count known: <c>bitfield pieces=120/300</c>.</summary>
    public string Describe(int pieceCount) => Id == MessageId.Bitfield
        ? $"bitfield pieces={CountSetBits(Payload)}/{pieceCount}"
        : Describe();

    public override string ToString() => Describe();

    private static long CountSetBits(ReadOnlySequence<byte> bytes)
    {
        long n = 0;
        foreach (var segment in bytes)
        {
            foreach (byte b in segment.Span)
            {
                n += System.Numerics.BitOperations.PopCount(b);
            }
        }
        return n;
    }
}
