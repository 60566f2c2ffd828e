namespace Shoal.Protocol.Extensions;

/// <summary>
/// Answers BEP 9 requests from the raw info dictionary we hold: data for a valid piece, reject otherwise. A private
/// torrent's metadata is never handed out (BEP 27 keeps its peers to the tracker's; a peer that has only the
/// magnet has no business there), and before we have the metadata ourselves every request is rejected.
/// </summary>
public sealed class MetadataServer
{
    private readonly ReadOnlyMemory<byte> _rawInfo;

    /// <summary>A server for <paramref name="rawInfo"/>; empty means "we do not have it yet".</summary>
    public MetadataServer(ReadOnlyMemory<byte> rawInfo, bool isPrivate)
    {
        _rawInfo = UtMetadata.IsPlausibleSize(rawInfo.Length) ? rawInfo : default;
        IsPrivate = isPrivate;
    }

    /// <summary>A server with no metadata: rejects everything.</summary>
    public static MetadataServer None { get; } = new(default, false);

    public bool IsPrivate { get; }

    /// <summary>True when requests get data (metadata known and the torrent is public).</summary>
    public bool Serves => !IsPrivate && !_rawInfo.IsEmpty;

    /// <summary>The <c>metadata_size</c> to announce in our extension handshake, or null to leave it out.</summary>
    public long? MetadataSize => Serves ? _rawInfo.Length : null;

    /// <summary>The bytes of metadata piece <paramref name="piece"/> (which must be in range).</summary>
    public ReadOnlyMemory<byte> Slice(int piece)
    {
        int size = UtMetadata.PieceSize(_rawInfo.Length, piece);
        return _rawInfo.Slice(piece * UtMetadata.PieceLength, size);
    }

    /// <summary>
    /// The ut_metadata payload answering <paramref name="request"/>: data, or a reject when we do not serve or the
    /// piece is out of range. Returns null for messages that need no answer (data, reject, unknown types).
    /// </summary>
    public byte[]? Respond(in UtMetadataMessage request)
    {
        if (request.Type != UtMetadataType.Request)
        {
            return null;
        }
        if (!Serves || request.Piece >= UtMetadata.PieceCount(_rawInfo.Length))
        {
            return UtMetadata.EncodeReject(request.Piece);
        }
        return UtMetadata.EncodeData(request.Piece, _rawInfo.Length, Slice(request.Piece).Span);
    }
}
