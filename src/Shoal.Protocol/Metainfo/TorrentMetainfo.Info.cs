using Shoal.Bencoding;

namespace Shoal.Protocol.Metainfo;

public sealed partial class TorrentMetainfo
{
    /// <summary>Keys whose duplication would let two parsers see two different torrents behind one info hash.</summary>
    private static readonly string[] CriticalInfoKeys =
        ["name", "name.utf-8", "piece length", "pieces", "length", "files", "meta version", "file tree", "private"];

    /// <summary>Deeper paths are refused: no file system takes them, and it keeps folder checks linear.</summary>
    private const int MaxPathDepth = 1024;

    private sealed record ParsedInfo(
        string? Name, int PieceLength, ReadOnlyMemory<byte> Pieces, long TotalLength,
        List<TorrentFile> Files, bool IsMultiFile, bool IsHybrid, bool IsPrivate);

    private static ParsedInfo ParseInfo(BDictionary info, List<string> quirks)
    {
        if (info.HasDuplicateKeys)
        {
            foreach (string key in CriticalInfoKeys)
            {
                if (CountKey(info, key) > 1)
                {
                    throw Invalid($"the info dictionary has the key '{key}' twice");
                }
            }
            quirks.Add("info dictionary has duplicate (non-critical) keys");
        }
        if (info.KeysUnsorted)
        {
            quirks.Add("info dictionary keys are not sorted (hashed as found)");
        }

        bool hasV2 = false;
        if (info.Get("meta version") is { } metaVersion)
        {
            hasV2 = metaVersion switch
            {
                BInteger { Value: 1 } => false,
                BInteger { Value: 2 } => true,
                _ => throw Invalid($"unsupported 'meta version' {metaVersion}"),
            };
        }
        var piecesValue = info.Get("pieces");
        if (hasV2 && piecesValue is null)
        {
            // Exact wording relied on by the CLI and conformance.sh.
            throw new MetainfoException(V2NotSupported);
        }

        if (info.Get("name") is not BString rawName)
        {
            throw Invalid("'name' is missing or not a string");
        }
        string displayName = (info.Get("name.utf-8") as BString ?? rawName).ToUtf8String();
        RefuseNul(displayName, "'name'");
        string? name = PathSanitizer.SanitizeComponent(displayName);

        if (info.Get("piece length") is not BInteger { Value: > 0 and <= int.MaxValue } pieceLengthValue)
        {
            throw Invalid("'piece length' is missing or not a positive integer");
        }
        int pieceLength = (int)pieceLengthValue.Value;

        if (piecesValue is not BString pieces || pieces.Length == 0)
        {
            throw Invalid("'pieces' is missing, empty or not a string");
        }
        if (pieces.Length % 20 != 0)
        {
            throw Invalid($"'pieces' is {pieces.Length} bytes, not a multiple of 20");
        }

        var (files, multi) = ReadFiles(info);
        long total = files.Count == 0 ? 0 : files[^1].Offset + files[^1].Length;
        if (total <= 0)
        {
            throw Invalid("the total length is zero");
        }
        long expectedPieces = (total + pieceLength - 1) / pieceLength;
        if (expectedPieces > MaxPieceCount)
        {
            throw Invalid($"too many pieces ({expectedPieces}; the limit is {MaxPieceCount})");
        }
        if (expectedPieces != pieces.Length / 20)
        {
            throw Invalid($"'pieces' holds {pieces.Length / 20} hashes but the length needs {expectedPieces}");
        }

        if (multi)
        {
            FilePaths.Resolve(files, quirks);
        }

        if (hasV2)
        {
            HybridConsistency.Check(info, rawName, files, multi, pieceLength);
        }

        bool isPrivate = info.Get("private") is BInteger { Value: 1 };
        return new ParsedInfo(name, pieceLength, pieces.Bytes, total, files, multi, hasV2, isPrivate);
    }

    /// <summary>Reads 'files' (multi-file) or 'length' (single file); offsets are running sums, overflow refused.</summary>
    private static (List<TorrentFile> Files, bool Multi) ReadFiles(BDictionary info)
    {
        var filesValue = info.Get("files");
        if (filesValue is null)
        {
            if (info.Get("length") is not BInteger { Value: >= 0 } length)
            {
                throw Invalid("'length' is missing or not a non-negative integer");
            }
            // The path is filled in with the sanitised name once the info hash is known.
            return ([new TorrentFile([], length.Value, 0)], false);
        }
        if (filesValue is not BList list)
        {
            throw Invalid("'files' is not a list");
        }
        if (list.Count == 0)
        {
            throw Invalid("'files' is empty (no files in the torrent)");
        }
        if (list.Count > MaxFileCount)
        {
            throw Invalid($"too many files ({list.Count})");
        }
        var files = new List<TorrentFile>(list.Count);
        long offset = 0;
        for (int i = 0; i < list.Count; i++)
        {
            var file = ReadFile(list[i], i, offset);
            if (file.Length > long.MaxValue - offset)
            {
                throw Invalid("the total length overflows");
            }
            offset += file.Length;
            files.Add(file);
        }
        return (files, true);
    }

    private static TorrentFile ReadFile(BValue value, int index, long offset)
    {
        if (value is not BDictionary entry)
        {
            throw Invalid($"file {index} is not a dictionary");
        }
        string attr = (entry.Get("attr") as BString)?.ToUtf8String() ?? "";
        bool pad = attr.Contains('p', StringComparison.Ordinal);
        bool symlink = attr.Contains('l', StringComparison.Ordinal);

        long length;
        switch (entry.Get("length"))
        {
            case BInteger { Value: >= 0 } l:
                length = l.Value;
                break;
            case null when symlink:
                length = 0; // BEP 47 symlinks may omit the length
                break;
            default:
                throw Invalid($"file {index} has a missing, negative or non-integer 'length'");
        }

        var path = ReadPath(entry, "path", "path.utf-8");
        if (path is null)
        {
            if (!pad || entry.ContainsKey("path"))
            {
                throw Invalid($"file {index} has a missing 'path' or one that is not a list of strings");
            }
            path = [".pad", length.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }

        foreach (string component in path)
        {
            if (component.Contains('\0', StringComparison.Ordinal))
            {
                throw Invalid($"the path of file {index} contains a NUL byte");
            }
        }
        if (path.Count > MaxPathDepth)
        {
            throw Invalid($"file {index} has a path deeper than {MaxPathDepth} folders");
        }

        IReadOnlyList<string>? target = null;
        if (symlink && entry.ContainsKey("symlink path"))
        {
            var rawTarget = ReadPath(entry, "symlink path", "symlink path.utf-8")
                ?? throw Invalid($"file {index} has a 'symlink path' that is not a list of strings");
            target = PathSanitizer.SanitizePath(rawTarget);
        }

        var safePath = PathSanitizer.SanitizePath(path);
        if (pad && safePath.Count == 0)
        {
            // Pad files skip the duplicate pass that names other empty paths, so they are named here.
            safePath = [".pad", length.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }
        return new TorrentFile(safePath, length, offset, pad)
        {
            RawPath = path,
            SymlinkTarget = target,
        };
    }

    /// <summary>
    /// Other control characters are neutralised, but a NUL is refused: no file system allows it, C APIs cut the name
    /// there, and in practice it only shows up in corrupted files (libtorrent refuses those as well).
    /// </summary>
    private static void RefuseNul(string text, string what)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw Invalid($"{what} contains a NUL byte");
        }
    }

    /// <summary>A list of strings under <paramref name="key"/>, preferring the ".utf-8" variant; null when invalid.</summary>
    private static List<string>? ReadPath(BDictionary entry, string key, string utf8Key)
    {
        return AsStrings(entry.Get(utf8Key)) is { } utf8 && AsStrings(entry.Get(key)) is not null
            ? utf8
            : AsStrings(entry.Get(key));

        static List<string>? AsStrings(BValue? v)
        {
            if (v is not BList l)
            {
                return null;
            }
            var result = new List<string>(l.Count);
            foreach (var item in l.Items)
            {
                if (item is not BString s)
                {
                    return null;
                }
                result.Add(s.ToUtf8String());
            }
            return result;
        }
    }
}
