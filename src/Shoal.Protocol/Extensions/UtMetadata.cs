using Shoal.Protocol.PeerWire;
using System.Buffers;
using Shoal.Bencoding;

namespace Shoal.Protocol.Extensions;

/// <summary>The three BEP 9 message types; other values are kept as numbers so they can be ignored.</summary>
public enum UtMetadataType
{
    Request = 0,
    Data = 1,
    Reject = 2,
}

/// <summary>
/// One decoded <c>ut_metadata</c> message. <see cref="Data"/> is a private copy (never a slice of the caller's
/// buffer), non-empty only for <see cref="UtMetadataType.Data"/>.
/// </summary>
public readonly record struct UtMetadataMessage(UtMetadataType Type, int Piece, long? TotalSize, ReadOnlyMemory<byte> Data)
{
    /// <summary>True for request, data and reject; BEP 9 says to ignore any other type.</summary>
    public bool IsKnown => Type is UtMetadataType.Request or UtMetadataType.Data or UtMetadataType.Reject;

    /// <summary>One trace line, e.g. <c>ut_metadata data piece=2 total_size=40000 len=7232</c>.</summary>
    public string Describe() => Type switch
    {
        UtMetadataType.Request => $"ut_metadata request piece={Piece}",
        UtMetadataType.Reject => $"ut_metadata reject piece={Piece}",
        UtMetadataType.Data => $"ut_metadata data piece={Piece} total_size={TotalSize} len={Data.Length}",
        _ => $"ut_metadata type={(int)Type} piece={Piece}",
    };
}

/// <summary>
/// BEP 9 metadata exchange (<c>ut_metadata</c>): the info dictionary travels in 16 KiB pieces inside extended
/// messages. Each message is a bencoded dictionary <c>{msg_type, piece[, total_size]}</c>; a data message is followed
/// by the raw piece bytes.
/// </summary>
public static class UtMetadata
{
    /// <summary>The name in the extension handshake's <c>m</c> dictionary.</summary>
    public const string ExtensionName = "ut_metadata";

    /// <summary>Every metadata piece is this long except the last.</summary>
    public const int PieceLength = 16 * 1024;

    /// <summary>
    /// The largest <c>metadata_size</c> we believe. Real info dictionaries of huge torrents stay below a few MiB
    /// (20 bytes of hash per piece); anything above this is a lie meant to make us allocate.
    /// </summary>
    public const long MaxMetadataSize = 16 * 1024 * 1024;

    /// <summary>The dictionary is three small keys; bounds what a peer can make us walk.</summary>
    /// <summary>True when <paramref name="metadataSize"/> is worth trying (1 .. <see cref="MaxMetadataSize"/>).</summary>
    public static bool IsPlausibleSize(long metadataSize) => metadataSize is > 0 and <= MaxMetadataSize;

    /// <summary>Number of 16 KiB pieces for a metadata size (which must be plausible).</summary>
    public static int PieceCount(long metadataSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(metadataSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(metadataSize, MaxMetadataSize);
        return (int)((metadataSize + PieceLength - 1) / PieceLength);
    }

    /// <summary>Length of metadata piece <paramref name="piece"/>: 16 KiB, or the remainder for the last one.</summary>
    public static int PieceSize(long metadataSize, int piece)
    {
        int count = PieceCount(metadataSize);
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(piece, count);
        return piece < count - 1 ? PieceLength : (int)(metadataSize - ((long)(count - 1) * PieceLength));
    }

    /// <summary>The payload (after the extended id byte) of a request for <paramref name="piece"/>.</summary>
    public static byte[] EncodeRequest(int piece) => EncodeHeader(UtMetadataType.Request, piece, null);

    /// <summary>The payload of a reject for <paramref name="piece"/>.</summary>
    public static byte[] EncodeReject(int piece) => EncodeHeader(UtMetadataType.Reject, piece, null);

    /// <summary>The payload of a data message: the dictionary, then the piece bytes.</summary>
    public static byte[] EncodeData(int piece, long totalSize, ReadOnlySpan<byte> data)
    {
        byte[] header = EncodeHeader(UtMetadataType.Data, piece, totalSize);
        byte[] payload = new byte[header.Length + data.Length];
        header.CopyTo(payload, 0);
        data.CopyTo(payload.AsSpan(header.Length));
        return payload;
    }

    /// <summary>
    /// Decodes an extended payload (after the extended id byte). Unknown <c>msg_type</c> values decode fine (check
    /// <see cref="UtMetadataMessage.IsKnown"/>); only a payload that is not a dictionary with integer
    /// <c>msg_type</c> and <c>piece</c>, or a data message with more than 16 KiB after it, is an error.
    /// </summary>
    public static bool TryDecode(ReadOnlySequence<byte> payload, out UtMetadataMessage message, out string? error)
    {
        message = default;
        // A data message is at most a short dictionary plus 16 KiB; refuse before copying anything bigger.
        if (payload.Length > PieceLength + 1024)
        {
            error = $"ut_metadata message of {payload.Length} bytes is too long";
            return false;
        }
        if (!ExtendedPayload.TryReadDictionary(payload, "ut_metadata message", 4, out var dict, out int consumed, out error))
        {
            return false;
        }
        if (dict.Get<BInteger>("msg_type") is not { Value: >= 0 and <= int.MaxValue } type)
        {
            error = "ut_metadata message has no valid msg_type";
            return false;
        }
        if (dict.Get<BInteger>("piece") is not { Value: >= 0 and <= int.MaxValue } piece)
        {
            error = "ut_metadata message has no valid piece";
            return false;
        }
        long? totalSize = dict.Get<BInteger>("total_size")?.Value;
        var kind = (UtMetadataType)(int)type.Value;
        ReadOnlyMemory<byte> data = default;
        if (kind == UtMetadataType.Data)
        {
            var trailing = payload.Slice(consumed);
            if (trailing.Length > PieceLength)
            {
                error = $"ut_metadata data of {trailing.Length} bytes is longer than a piece";
                return false;
            }
            data = trailing.ToArray();
        }
        message = new UtMetadataMessage(kind, (int)piece.Value, totalSize, data);
        error = null;
        return true;
    }

    /// <summary>
    /// Checks a decoded message against the metadata size we expect: piece in range; for data, <c>total_size</c>
    /// equal to it and the data exactly as long as that piece.
    /// </summary>
    public static bool Validate(in UtMetadataMessage message, long metadataSize, out string? error)
    {
        if (!IsPlausibleSize(metadataSize))
        {
            error = $"metadata size {metadataSize} is not plausible";
            return false;
        }
        int count = PieceCount(metadataSize);
        if (message.Piece >= count)
        {
            error = $"ut_metadata piece {message.Piece} out of range (metadata has {count} pieces)";
            return false;
        }
        if (message.Type == UtMetadataType.Data)
        {
            if (message.TotalSize != metadataSize)
            {
                error = $"ut_metadata total_size {message.TotalSize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"} differs from metadata_size {metadataSize}";
                return false;
            }
            int expected = PieceSize(metadataSize, message.Piece);
            if (message.Data.Length != expected)
            {
                error = $"ut_metadata piece {message.Piece} has {message.Data.Length} bytes, expected {expected}";
                return false;
            }
        }
        error = null;
        return true;
    }

    private static byte[] EncodeHeader(UtMetadataType type, int piece, long? totalSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(piece);
        var dict = new BDictionary
        {
            ["msg_type"] = new BInteger((int)type),
            ["piece"] = new BInteger(piece),
        };
        if (totalSize is long size)
        {
            dict["total_size"] = new BInteger(size);
        }
        return BencodeWriter.Encode(dict);
    }
}
