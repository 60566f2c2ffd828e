using Shoal.Bencoding;

namespace Shoal.Protocol.Metainfo;

/// <summary>
/// A hybrid torrent (BEP 52 v1+v2) describes its files twice. We only use the v1 part, but a hybrid whose two parts
/// disagree is two different torrents behind one file, so it is refused: the v2 'file tree' leaves, in order, must
/// have the same paths and lengths as the v1 files without pad files, and every non-empty v1 file must start on a
/// piece boundary (v2 aligns each file to a piece).
/// </summary>
internal static class HybridConsistency
{
    private const string Mismatch = "invalid torrent: the v1 and v2 file lists of this hybrid torrent do not match";

    public static void Check(BDictionary info, BString rawName, List<TorrentFile> v1Files, bool multi, int pieceLength)
    {
        if (pieceLength < 16 * 1024 || (pieceLength & (pieceLength - 1)) != 0)
        {
            throw new MetainfoException(
                "invalid torrent: a hybrid torrent's 'piece length' must be a power of two of at least 16 KiB");
        }
        if (info.Get("file tree") is not BDictionary tree)
        {
            throw new MetainfoException("invalid torrent: hybrid torrent has no v2 'file tree' dictionary");
        }
        var v2Files = ReadTree(tree);

        int j = 0;
        foreach (var file in v1Files)
        {
            if (file.IsPadding)
            {
                continue;
            }
            if (j >= v2Files.Count)
            {
                throw new MetainfoException(Mismatch + " (the v1 list has more files)");
            }
            var (path, length) = v2Files[j++];
            IReadOnlyList<string> v1Path = multi ? file.RawPath ?? [] : [rawName.ToUtf8String()];
            if (length != file.Length || !path.SequenceEqual(v1Path, StringComparer.Ordinal))
            {
                throw new MetainfoException($"{Mismatch} (v1 '{string.Join('/', v1Path)}' vs v2 '{string.Join('/', path)}')");
            }
            if (file.Length > 0 && file.Offset % pieceLength != 0)
            {
                throw new MetainfoException($"{Mismatch} (v1 file '{string.Join('/', v1Path)}' is not aligned to a piece)");
            }
        }
        if (j != v2Files.Count)
        {
            throw new MetainfoException(Mismatch + " (the v2 file tree has more files)");
        }
    }

    /// <summary>Leaves of the file tree in order. Iterative; depth is already bounded by the bencode reader.</summary>
    private static List<(List<string> Path, long Length)> ReadTree(BDictionary tree)
    {
        var result = new List<(List<string>, long)>();
        var stack = new Stack<(BDictionary Node, List<string> Path)>();
        stack.Push((tree, []));
        while (stack.Count > 0)
        {
            var (node, path) = stack.Pop();
            if (node.TryGetValue(""u8, out var leafValue))
            {
                if (path.Count == 0 || node.Count != 1 || leafValue is not BDictionary leaf)
                {
                    throw new MetainfoException("invalid torrent: malformed file entry in the v2 'file tree'");
                }
                bool symlink = (leaf.Get("attr") as BString)?.ToUtf8String().Contains('l', StringComparison.Ordinal) == true;
                long length = leaf.Get("length") switch
                {
                    BInteger { Value: >= 0 } l => l.Value,
                    null when symlink => 0,
                    _ => throw new MetainfoException("invalid torrent: a v2 file entry has no valid 'length'"),
                };
                result.Add((path, length));
                continue;
            }
            if (node.Count == 0)
            {
                throw new MetainfoException("invalid torrent: empty folder in the v2 'file tree'");
            }
            for (int i = node.Entries.Count - 1; i >= 0; i--)
            {
                var (key, value) = node.Entries[i];
                if (value is not BDictionary child)
                {
                    throw new MetainfoException($"invalid torrent: v2 'file tree' entry '{key}' is not a dictionary");
                }
                stack.Push((child, [.. path, key.ToUtf8String()]));
            }
        }
        return result;
    }
}
