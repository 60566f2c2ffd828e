using Shoal.Bencoding;

namespace Shoal.Protocol.Metainfo;

/// <summary>
/// A parsed, validated v1 .torrent (BEP 3, with BEP 12 announce-list, BEP 19 url-list and BEP 27 private).
/// The info hash is SHA-1 over <see cref="RawInfo"/>, the exact bytes in the file.
/// </summary>
public sealed partial class TorrentMetainfo
{
    public required InfoHash InfoHash { get; init; }

    /// <summary>The exact bytes of the info dictionary (what BEP 9 serves as metadata).</summary>
    public required ReadOnlyMemory<byte> RawInfo { get; init; }

    /// <summary>Display name, sanitised for use as a file or folder name (prefers name.utf-8).</summary>
    public required string Name { get; init; }

    public required int PieceLength { get; init; }

    /// <summary>Concatenated 20-byte SHA-1 piece hashes.</summary>
    public required ReadOnlyMemory<byte> PieceHashes { get; init; }

    public required TorrentLengths Lengths { get; init; }

    public required IReadOnlyList<TorrentFile> Files { get; init; }

    /// <summary>True for a torrent with a 'files' list (stored under a folder named <see cref="Name"/>).</summary>
    public required bool IsMultiFile { get; init; }

    /// <summary>Tracker tiers: announce-list when present, else a single tier holding 'announce'.</summary>
    public IReadOnlyList<IReadOnlyList<string>> AnnounceTiers { get; init; } = [];

    /// <summary>BEP 19 web seeds (url-list, as a list or a single string).</summary>
    public IReadOnlyList<string> WebSeeds { get; init; } = [];

    public bool IsPrivate { get; init; }

    public string? CreatedBy { get; init; }

    public string? Comment { get; init; }

    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>True when the torrent is a hybrid with v2 metadata too (only its v1 part is used).</summary>
    public bool IsHybrid { get; init; }

    /// <summary>Things that were accepted but not canonical (unsorted keys, trailing bytes, renamed paths).</summary>
    public IReadOnlyList<string> Quirks { get; init; } = [];

    public int PieceCount => Lengths.PieceCount;

    public long TotalLength => Lengths.TotalLength;

    /// <summary>The expected SHA-1 of a piece.</summary>
    public ReadOnlySpan<byte> PieceHash(int piece) =>
        PieceHashes.Span.Slice(checked(piece * 20), 20);

    /// <summary>All trackers, tier by tier, without duplicates.</summary>
    public IEnumerable<string> Trackers => AnnounceTiers.SelectMany(t => t).Distinct(StringComparer.Ordinal);
}

/// <summary>A .torrent (or info dictionary) that must be refused; the message is one clear line for users.</summary>
public sealed class MetainfoException(string message, Exception? inner = null) : FormatException(message, inner);
