using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Storage;

/// <summary>Tuning for <see cref="TorrentStorage"/>.</summary>
public sealed record StorageOptions
{
    /// <summary>Most file handles kept open at once; older ones are closed (LRU) so huge torrents do not run out of fds.</summary>
    public int MaxOpenFiles { get; init; } = 96;
}

/// <summary>
/// The files of one torrent on disk. Layout as other clients: a single-file torrent is ROOT/&lt;Name&gt;, a multi-file
/// torrent is ROOT/&lt;Name&gt;/&lt;path...&gt;. All I/O is positional (<see cref="RandomAccess"/>), so any number of
/// disk workers may read and write concurrently; files are opened lazily and kept in a bounded LRU of handles.
/// Pad files are never created or written, and read as zeros. Every failure surfaces as <see cref="StorageException"/>.
/// </summary>
public sealed partial class TorrentStorage : IDisposable, IAsyncDisposable
{
    private readonly TorrentMetainfo _meta;
    private readonly string[] _paths;
    /// <summary>Files written since the last flush (see <see cref="FlushAsync"/>).</summary>
    private readonly FileDirtySet _unflushed;
    /// <summary>Files written since the last <see cref="TakeWrittenFiles"/> (resume data re-stats only these).</summary>
    private readonly FileDirtySet _unrecorded;

    private TorrentStorage(TorrentMetainfo meta, string root, bool readOnly, StorageOptions options)
    {
        _meta = meta;
        ReadOnly = readOnly;
        Layout = new FileLayout(meta.Files);
        if (Layout.TotalLength != meta.TotalLength)
        {
            throw new ArgumentException(
                $"files add up to {Layout.TotalLength} bytes but the torrent says {meta.TotalLength}", nameof(meta));
        }
        RootPath = Path.GetFullPath(root);
        _paths = ResolvePaths(meta, RootPath);
        _maxOpen = Math.Max(1, options.MaxOpenFiles);
        _unflushed = new FileDirtySet(meta.Files.Count);
        _unrecorded = new FileDirtySet(meta.Files.Count);
    }

    /// <summary>The download folder, as a full path.</summary>
    public string RootPath { get; }

    /// <summary>True when opened by <see cref="OpenForSeeding"/>: nothing is created or written.</summary>
    public bool ReadOnly { get; }

    public FileLayout Layout { get; }

    public TorrentMetainfo Metainfo => _meta;

    public TorrentLengths Lengths => _meta.Lengths;

    /// <summary>
    /// Opens storage for downloading: folders and files are created as blocks arrive (empty files at once).
    /// Throws <see cref="StorageException"/> (<see cref="StorageErrorKind.PathEscape"/>) if any path leaves the root.
    /// </summary>
    public static TorrentStorage Open(TorrentMetainfo metainfo, string downloadRoot, StorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentException.ThrowIfNullOrEmpty(downloadRoot);
        var storage = new TorrentStorage(metainfo, downloadRoot, readOnly: false, options ?? new StorageOptions());
        storage.CreateEmptyFiles();
        return storage;
    }

    /// <summary>
    /// Opens whatever data exists, read-only, for checking it (<c>shoal verify</c>): creates nothing and refuses
    /// nothing; missing or short files simply read short, so their pieces count as absent.
    /// </summary>
    public static TorrentStorage OpenForChecking(TorrentMetainfo metainfo, string downloadRoot, StorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentException.ThrowIfNullOrEmpty(downloadRoot);
        return new TorrentStorage(metainfo, downloadRoot, readOnly: true, options ?? new StorageOptions());
    }

    /// <summary>
    /// Opens existing data read-only for seeding. Creates nothing. Every non-pad file must exist and be at least its
    /// torrent length, else a <see cref="StorageException"/> names the first file that is missing or short.
    /// </summary>
    public static TorrentStorage OpenForSeeding(TorrentMetainfo metainfo, string downloadRoot, StorageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentException.ThrowIfNullOrEmpty(downloadRoot);
        var storage = new TorrentStorage(metainfo, downloadRoot, readOnly: true, options ?? new StorageOptions());
        for (int i = 0; i < metainfo.Files.Count; i++)
        {
            TorrentFile f = metainfo.Files[i];
            if (f.IsPadding)
            {
                continue;
            }
            var info = new FileInfo(storage._paths[i]);
            if (!info.Exists)
            {
                throw new StorageException(StorageErrorKind.FileMissing, $"file missing: {storage._paths[i]}", storage._paths[i]);
            }
            if (info.Length < f.Length)
            {
                throw new StorageException(StorageErrorKind.ShortRead,
                    $"file too short: {storage._paths[i]} is {info.Length} bytes, expected {f.Length}", storage._paths[i]);
            }
        }
        return storage;
    }

    /// <summary>
    /// The files written since the previous call (or since opening), each once, in no particular order: the files
    /// whose size or mtime may have changed, for an incremental <see cref="ResumeData"/> capture.
    /// A file is listed once its write has returned.
    /// </summary>
    internal IReadOnlyList<int> TakeWrittenFiles() => _unrecorded.Take();

    /// <summary>Full path of file <paramref name="fileIndex"/> (also for pad files, which are never created).</summary>
    public string GetFullPath(int fileIndex) => _paths[fileIndex];

    /// <summary>Writes a range of torrent data, split across files as needed. Pad-file parts are skipped.</summary>
    public async ValueTask WriteAsync(long torrentOffset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ThrowIfReadOnly();
        foreach (FileSegment seg in Layout.Map(torrentOffset, data.Length))
        {
            if (seg.IsPadding)
            {
                continue;
            }
            HandleLease lease = Acquire(seg.FileIndex);
            try
            {
                await RandomAccess.WriteAsync(lease.Handle!, data.Slice(seg.BufferOffset, seg.Length), seg.FileOffset, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw StorageException.Wrap(ex, "writing", _paths[seg.FileIndex]);
            }
            finally
            {
                Release(lease);
            }
        }
    }

    /// <summary>Synchronous form of <see cref="WriteAsync"/>, for disk worker threads.</summary>
    public void Write(long torrentOffset, ReadOnlySpan<byte> data)
    {
        ThrowIfReadOnly();
        foreach (FileSegment seg in Layout.Map(torrentOffset, data.Length))
        {
            if (seg.IsPadding)
            {
                continue;
            }
            HandleLease lease = Acquire(seg.FileIndex);
            try
            {
                lock (lease.File!.WriteGate)
                {
                    RandomAccess.Write(lease.Handle!, data.Slice(seg.BufferOffset, seg.Length), seg.FileOffset);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw StorageException.Wrap(ex, "writing", _paths[seg.FileIndex]);
            }
            finally
            {
                Release(lease);
            }
        }
    }

    /// <summary>Writes a block at (<paramref name="piece"/>, <paramref name="begin"/>).</summary>
    public ValueTask WriteBlockAsync(int piece, int begin, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) =>
        WriteAsync(BlockOffset(piece, begin, data.Length), data, cancellationToken);

    /// <summary>
    /// Reads a range of torrent data. Returns the number of bytes read, which is less than the buffer when a file is
    /// missing or shorter than the torrent says (reading stops there). Pad-file parts read as zeros.
    /// </summary>
    public async ValueTask<int> ReadAsync(long torrentOffset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        foreach (FileSegment seg in Layout.Map(torrentOffset, buffer.Length))
        {
            Memory<byte> part = buffer.Slice(seg.BufferOffset, seg.Length);
            if (seg.IsPadding)
            {
                part.Span.Clear();
                continue;
            }
            HandleLease lease = TryAcquireForRead(seg.FileIndex);
            if (lease.Handle is null)
            {
                return seg.BufferOffset;
            }
            int got;
            try
            {
                got = await ReadFullyAsync(lease, part, seg.FileOffset, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Release(lease);
            }
            if (got < seg.Length)
            {
                return seg.BufferOffset + got;
            }
        }
        return buffer.Length;
    }

    /// <summary>Synchronous form of <see cref="ReadAsync"/>, for hashing threads.</summary>
    public int Read(long torrentOffset, Span<byte> buffer)
    {
        foreach (FileSegment seg in Layout.Map(torrentOffset, buffer.Length))
        {
            Span<byte> part = buffer.Slice(seg.BufferOffset, seg.Length);
            if (seg.IsPadding)
            {
                part.Clear();
                continue;
            }
            HandleLease lease = TryAcquireForRead(seg.FileIndex);
            if (lease.Handle is null)
            {
                return seg.BufferOffset;
            }
            int got = 0;
            try
            {
                while (got < part.Length)
                {
                    int n = RandomAccess.Read(lease.Handle, part[got..], seg.FileOffset + got);
                    if (n == 0)
                    {
                        break;
                    }
                    got += n;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw StorageException.Wrap(ex, "reading", _paths[seg.FileIndex]);
            }
            finally
            {
                Release(lease);
            }
            if (got < seg.Length)
            {
                return seg.BufferOffset + got;
            }
        }
        return buffer.Length;
    }

    /// <summary>
    /// Reads a whole block, e.g. to serve a peer's request. Throws <see cref="StorageException"/>
    /// (<see cref="StorageErrorKind.ShortRead"/>) when the data is not all on disk.
    /// </summary>
    public async ValueTask ReadBlockAsync(int piece, int begin, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long offset = BlockOffset(piece, begin, buffer.Length);
        int got = await ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        if (got < buffer.Length)
        {
            throw new StorageException(StorageErrorKind.ShortRead,
                $"piece {piece} offset {begin}: only {got} of {buffer.Length} bytes are on disk");
        }
    }

    /// <summary>
    /// Makes every write that has returned durable: fsyncs each file written since the last flush (see
    /// <see cref="FlushAll"/> for files whose handle was already closed).
    /// </summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (ReadOnly)
        {
            return ValueTask.CompletedTask;
        }
        return new ValueTask(Task.Run(FlushAll, cancellationToken));
    }

    private async ValueTask<int> ReadFullyAsync(HandleLease lease, Memory<byte> part, long fileOffset, CancellationToken ct)
    {
        int got = 0;
        try
        {
            while (got < part.Length)
            {
                int n = await RandomAccess.ReadAsync(lease.Handle!, part[got..], fileOffset + got, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                got += n;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageException.Wrap(ex, "reading", _paths[lease.FileIndex]);
        }
        return got;
    }

    private long BlockOffset(int piece, int begin, int length)
    {
        TorrentLengths l = _meta.Lengths;
        if (!l.IsValidPiece(piece) || begin < 0 || (long)begin + length > l.PieceSize(piece))
        {
            throw new ArgumentOutOfRangeException(nameof(begin), $"block {piece}:{begin}+{length} is outside the piece");
        }
        return l.PieceOffset(piece) + begin;
    }

    private void ThrowIfReadOnly()
    {
        if (ReadOnly)
        {
            throw new StorageException(StorageErrorKind.ReadOnly, $"storage for '{_meta.Name}' is open read-only for seeding");
        }
    }

    /// <summary>Empty files are part of the torrent but no block ever touches them, so create them up front.</summary>
    private void CreateEmptyFiles()
    {
        for (int i = 0; i < _meta.Files.Count; i++)
        {
            TorrentFile f = _meta.Files[i];
            if (f.Length != 0 || f.IsPadding)
            {
                continue;
            }
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_paths[i])!);
                using var h = File.OpenHandle(_paths[i], FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw StorageException.Wrap(ex, "creating", _paths[i]);
            }
        }
    }

    /// <summary>
    /// Resolves each file's full path and refuses any that is not strictly under the root (and, for a multi-file
    /// torrent, under ROOT/Name). Components are sanitised by the parser; this is defence in depth.
    /// </summary>
    private static string[] ResolvePaths(TorrentMetainfo meta, string root)
    {
        string rootWithSep = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        string baseDir = meta.IsMultiFile ? Path.GetFullPath(Path.Combine(root, meta.Name)) : root;
        CheckUnder(baseDir, rootWithSep, allowEqual: !meta.IsMultiFile);
        string baseWithSep = Path.EndsInDirectorySeparator(baseDir) ? baseDir : baseDir + Path.DirectorySeparatorChar;

        var paths = new string[meta.Files.Count];
        for (int i = 0; i < paths.Length; i++)
        {
            string full;
            if (meta.IsMultiFile)
            {
                IReadOnlyList<string> parts = meta.Files[i].PathComponents;
                if (parts.Count == 0)
                {
                    throw new StorageException(StorageErrorKind.PathEscape, $"file {i} has an empty path");
                }
                foreach (string part in parts)
                {
                    CheckComponent(part);
                }
                full = Path.GetFullPath(Path.Join(baseDir, Path.Join([.. parts])));
            }
            else
            {
                full = Path.GetFullPath(Path.Join(root, meta.Name));
            }
            CheckUnder(full, baseWithSep, allowEqual: false);
            paths[i] = full;
        }
        return paths;
    }

    /// <summary>The parser's sanitiser guarantees this; a violation here means a bug upstream, so refuse loudly.</summary>
    private static void CheckComponent(string part)
    {
        if (part.Length == 0 || part is "." or ".." || Path.IsPathRooted(part)
            || part.AsSpan().IndexOfAny(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar, '\0') >= 0)
        {
            throw new StorageException(StorageErrorKind.PathEscape, $"refusing unsafe path component: '{part}'", part);
        }
    }

    private static void CheckUnder(string path, string parentWithSep, bool allowEqual)
    {
        StringComparison cmp = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
            ? StringComparison.OrdinalIgnoreCase
            : StringComparison.Ordinal;
        bool equal = string.Equals(path + Path.DirectorySeparatorChar, parentWithSep, cmp);
        if ((equal && allowEqual) || (!equal && path.StartsWith(parentWithSep, cmp) && path.Length > parentWithSep.Length))
        {
            return;
        }
        throw new StorageException(StorageErrorKind.PathEscape,
            $"refusing path outside the download folder: {path}", path);
    }
}
