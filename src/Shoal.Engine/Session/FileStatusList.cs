using System.Collections;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Session;

/// <summary>
/// <see cref="TorrentStatus.Files"/> for one snapshot, built only when someone reads it. The loop publishes a status
/// about once a second; with 100,000 files, building every <see cref="FileStatus"/> each time cost more than the
/// download itself. So the snapshot keeps only a copy of the verified pieces (a bit per piece) and the priorities
/// (never changed in place), and works out the per-file bytes on first access: O(pieces + files), once per snapshot
/// that is read. <see cref="Count"/> costs nothing. Thread-safe.
/// </summary>
internal sealed class FileStatusList : IReadOnlyList<FileStatus>
{
    private readonly TorrentMetainfo _meta;
    private readonly FileLayout _layout;
    private readonly BitField _have;
    private readonly IReadOnlyList<FilePriority> _priorities;
    private readonly Func<string[]> _paths;
    private FileStatus[]? _files;

    /// <param name="meta">The torrent.</param>
    /// <param name="layout">Its file layout, to split pieces into file bytes.</param>
    /// <param name="have">Verified pieces; owned by this list from now on (pass a copy).</param>
    /// <param name="priorities">One per file; must not change afterwards.</param>
    /// <param name="paths">Display path of every file (called on first access; may be cached by the caller).</param>
    public FileStatusList(TorrentMetainfo meta, FileLayout layout, BitField have, IReadOnlyList<FilePriority> priorities,
        Func<string[]> paths)
    {
        _meta = meta;
        _layout = layout;
        _have = have;
        _priorities = priorities;
        _paths = paths;
    }

    public int Count => _meta.Files.Count;

    public FileStatus this[int index] => Files()[index];

    public IEnumerator<FileStatus> GetEnumerator() => ((IEnumerable<FileStatus>)Files()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Bytes of each file that lie in verified pieces (pad files included, as zero-cost entries).</summary>
    internal static long[] BytesDone(TorrentMetainfo meta, FileLayout layout, BitField have)
    {
        var done = new long[meta.Files.Count];
        TorrentLengths l = meta.Lengths;
        for (int p = 0; p < have.Length; p++)
        {
            if (!have[p])
            {
                continue;
            }
            foreach (FileSegment seg in layout.Map(l.PieceOffset(p), l.PieceSize(p)))
            {
                done[seg.FileIndex] += seg.Length;
            }
        }
        return done;
    }

    private FileStatus[] Files()
    {
        if (Volatile.Read(ref _files) is { } built)
        {
            return built;
        }
        long[] done = BytesDone(_meta, _layout, _have);
        string[] paths = _paths();
        var files = new FileStatus[done.Length];
        for (int i = 0; i < files.Length; i++)
        {
            TorrentFile f = _meta.Files[i];
            files[i] = new FileStatus(i, paths[i], f.Length, Math.Min(f.Length, done[i]), _priorities[i]);
        }
        // Two readers may both build it; either result is the same.
        return Interlocked.CompareExchange(ref _files, files, null) ?? files;
    }
}
