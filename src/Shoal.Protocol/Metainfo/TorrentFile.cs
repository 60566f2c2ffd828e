namespace Shoal.Protocol.Metainfo;

/// <summary>
/// One file of a torrent. <see cref="PathComponents"/> are already sanitised: none is empty, <c>.</c>, <c>..</c>,
/// rooted, or holds a separator, NUL or control character, so joining them under the download folder stays inside it.
/// </summary>
/// <param name="PathComponents">Sanitised components below the torrent's folder (for a single-file torrent: the name).</param>
/// <param name="Length">Length in bytes.</param>
/// <param name="Offset">Offset of the file's first byte in the torrent's concatenated data.</param>
/// <param name="IsPadding">A BEP 47 pad file (attr 'p'): counted in offsets, never written.</param>
public sealed record TorrentFile(IReadOnlyList<string> PathComponents, long Length, long Offset, bool IsPadding = false)
{
    /// <summary>The path with '/' separators, for display and JSON.</summary>
    public string Path => string.Join('/', PathComponents);

    /// <summary>BEP 47 symlink target (sanitised components relative to the torrent's folder), or null.</summary>
    public IReadOnlyList<string>? SymlinkTarget { get; init; }

    /// <summary>The path as written in the torrent (decoded, not sanitised); used for duplicate and v1/v2 checks.</summary>
    internal IReadOnlyList<string>? RawPath { get; init; }
}
