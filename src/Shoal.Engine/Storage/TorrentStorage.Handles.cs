using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace Shoal.Engine.Storage;

/// <summary>
/// Bounded LRU of open file handles. A handle is leased for the duration of one positional I/O call; eviction
/// closes only handles nobody is using (an evicted handle still in use is closed by its last releaser), so the
/// cache may briefly exceed its bound under heavy concurrency but never closes a handle mid-operation.
/// <para>
/// Torrents of many small files touch each file a few times, so per-open costs count: folders are created once
/// (remembered), and writes mark their file dirty so a flush syncs only files written since the last one (open
/// ones with fsync; ones already evicted by reopening them, or with one <c>sync()</c> when there are many).
/// </para>
/// </summary>
public sealed partial class TorrentStorage
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, OpenFile> _open = [];
    private readonly LinkedList<OpenFile> _lru = new();
    private readonly int _maxOpen;
    /// <summary>Folders known to exist (created or seen by this storage), so a new file costs no mkdir.</summary>
    private readonly ConcurrentDictionary<string, byte> _knownDirs = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Above this many written files whose handles were already closed, a flush syncs all file systems at once.</summary>
    internal const int ReopenToFlushLimit = 64;

    /// <summary>Number of handles open right now (for tests and diagnostics).</summary>
    public int OpenFileCount
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>True when some write has not been covered by a flush yet (for tests and diagnostics).</summary>
    internal bool HasUnflushedWrites => !_unflushed.IsEmpty;

    /// <summary>Leases a handle for writing, creating folders and the file if needed.</summary>
    private HandleLease Acquire(int fileIndex) => AcquireCore(fileIndex, create: !ReadOnly, missingIsError: true, write: true);

    /// <summary>Leases a handle for reading; a missing file gives a lease with a null handle (unless seeding).</summary>
    private HandleLease TryAcquireForRead(int fileIndex) => AcquireCore(fileIndex, create: false, missingIsError: ReadOnly, write: false);

    private HandleLease AcquireCore(int fileIndex, bool create, bool missingIsError, bool write)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(fileIndex, out OpenFile? hit))
            {
                hit.Users++;
                _lru.Remove(hit.Node);
                _lru.AddFirst(hit.Node);
                return new HandleLease(hit, fileIndex, write);
            }
        }

        // Open outside the lock: opening can be slow (network drives) and must not stall other files.
        SafeFileHandle? handle = OpenHandle(fileIndex, create, missingIsError);
        if (handle is null)
        {
            return new HandleLease(null, fileIndex, write);
        }

        List<OpenFile>? toClose = null;
        OpenFile entry;
        lock (_gate)
        {
            if (_disposed)
            {
                handle.Dispose();
                ObjectDisposedException.ThrowIf(true, this);
            }
            if (_open.TryGetValue(fileIndex, out OpenFile? raced))
            {
                // Another thread opened the same file meanwhile: use its handle, drop ours.
                handle.Dispose();
                raced.Users++;
                return new HandleLease(raced, fileIndex, write);
            }
            entry = new OpenFile(fileIndex, handle);
            entry.Node = _lru.AddFirst(entry);
            entry.Users = 1;
            _open.Add(fileIndex, entry);
            LinkedListNode<OpenFile>? node = _lru.Last;
            while (_open.Count > _maxOpen && node is not null)
            {
                LinkedListNode<OpenFile>? prev = node.Previous;
                OpenFile victim = node.Value;
                if (victim.Users == 0)
                {
                    _lru.Remove(node);
                    _open.Remove(victim.FileIndex);
                    (toClose ??= []).Add(victim);
                }
                node = prev;
            }
        }
        if (toClose is not null)
        {
            foreach (OpenFile f in toClose)
            {
                f.Handle.Dispose();
            }
        }
        return new HandleLease(entry, fileIndex, write);
    }

    /// <summary>Ends a lease. A write lease marks its file dirty (after the write, see <see cref="FileDirtySet"/>).</summary>
    private void Release(HandleLease lease)
    {
        if (lease.File is null)
        {
            return;
        }
        if (lease.Write)
        {
            _unflushed.Mark(lease.FileIndex);
            _unrecorded.Mark(lease.FileIndex);
        }
        bool close;
        lock (_gate)
        {
            lease.File.Users--;
            close = lease.File.Users == 0 && lease.File.Closed;
        }
        if (close)
        {
            lease.File.Handle.Dispose();
        }
    }

    private SafeFileHandle? OpenHandle(int fileIndex, bool create, bool missingIsError)
    {
        string path = _paths[fileIndex];
        try
        {
            if (create)
            {
                string dir = Path.GetDirectoryName(path)!;
                EnsureDirectory(dir);
                try
                {
                    return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
                }
                catch (DirectoryNotFoundException)
                {
                    // Removed behind our back since we created it: create it again, as before.
                    _knownDirs.TryRemove(dir, out _);
                    EnsureDirectory(dir);
                    return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
                }
            }
            if (ReadOnly)
            {
                return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            }
            // Download mode, reading: open read-write so the cached handle also serves later writes.
            return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        }
        catch (Exception ex) when ((ex is FileNotFoundException or DirectoryNotFoundException) && !missingIsError)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageException.Wrap(ex, "opening", path);
        }
    }

    private void EnsureDirectory(string dir)
    {
        if (!_knownDirs.ContainsKey(dir))
        {
            Directory.CreateDirectory(dir);
            _knownDirs.TryAdd(dir, 0);
        }
    }

    /// <summary>
    /// Makes every write finished so far durable: fsyncs the files written since the last flush that are still open,
    /// and those already closed (evicted) by reopening them, or, when there are many, with one <c>sync()</c> on
    /// Linux (one fsync per small file would cost a journal commit each). On failure the files stay marked.
    /// </summary>
    private void FlushAll()
    {
        List<HandleLease> leases = [];
        List<int> closed = [];
        List<int> dirty;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            dirty = _unflushed.Take();
            foreach (int i in dirty)
            {
                if (_open.TryGetValue(i, out OpenFile? f))
                {
                    f.Users++;
                    leases.Add(new HandleLease(f, i, Write: false));
                }
                else
                {
                    closed.Add(i);
                }
            }
        }
        try
        {
            foreach (HandleLease lease in leases)
            {
                FlushOne(lease.Handle!, lease.FileIndex);
            }
            if (closed.Count > ReopenToFlushLimit && OperatingSystem.IsLinux())
            {
                NativeSync.SyncAll();
            }
            else
            {
                foreach (int i in closed)
                {
                    FlushClosed(i);
                }
            }
        }
        catch
        {
            _unflushed.MarkAll(dirty);
            throw;
        }
        finally
        {
            foreach (HandleLease lease in leases)
            {
                Release(lease);
            }
        }
    }

    private void FlushOne(SafeFileHandle handle, int fileIndex)
    {
        try
        {
            RandomAccess.FlushToDisk(handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageException.Wrap(ex, "flushing", _paths[fileIndex]);
        }
    }

    /// <summary>A written file whose handle was evicted: reopen it just to sync it (gone means nothing to keep).</summary>
    private void FlushClosed(int fileIndex)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(_paths[fileIndex], FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageException.Wrap(ex, "flushing", _paths[fileIndex]);
        }
        using (handle)
        {
            FlushOne(handle, fileIndex);
        }
    }

    /// <summary>Closes every handle. Handles leased by in-flight I/O are closed when that I/O finishes.</summary>
    public void Dispose()
    {
        List<OpenFile> toClose = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (OpenFile f in _open.Values)
            {
                f.Closed = true;
                if (f.Users == 0)
                {
                    toClose.Add(f);
                }
            }
            _open.Clear();
            _lru.Clear();
        }
        foreach (OpenFile f in toClose)
        {
            f.Handle.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class OpenFile(int fileIndex, SafeFileHandle handle)
    {
        public int FileIndex { get; } = fileIndex;

        public SafeFileHandle Handle { get; } = handle;

        public int Users { get; set; }

        /// <summary>
        /// Held around each synchronous write to this file. A buffered write takes the inode's lock in the kernel,
        /// and a second writer spins on it for as long as the first one copies (a quarter of the disk workers' CPU
        /// in a profile of a 1 GiB download, with two workers writing pieces of one file): waiting here blocks
        /// after a short spin instead.
        /// </summary>
        public Lock WriteGate { get; } = new();

        /// <summary>Set when the storage is disposed while leased; the last releaser closes the handle.</summary>
        public bool Closed { get; set; }

        public LinkedListNode<OpenFile> Node { get; set; } = null!;
    }

    private readonly record struct HandleLease(OpenFile? File, int FileIndex, bool Write)
    {
        public SafeFileHandle? Handle => File?.Handle;
    }
}
