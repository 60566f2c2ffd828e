namespace Shoal.Protocol.Metainfo;

public sealed partial class TorrentMetainfo
{
    /// <summary>Parses and validates a whole .torrent file. Throws <see cref="MetainfoException"/> with one clear line.</summary>
    public static TorrentMetainfo Parse(ReadOnlyMemory<byte> torrentFile) =>
        throw new NotImplementedException("metainfo parser: being written");

    /// <summary>Builds metainfo from a bare info dictionary (as fetched by BEP 9), hashing it as given.</summary>
    public static TorrentMetainfo FromInfoDictionary(ReadOnlyMemory<byte> rawInfo) =>
        throw new NotImplementedException("metainfo parser: being written");
}
