using Microsoft.Win32.SafeHandles;

namespace Shoal.Engine.Storage;

/// <summary>
/// Bounded LRU of open file handles. A handle is leased for the duration of one positional I/O call; eviction
/// closes only handles nobody is using (an evicted handle still in use is closed by its last releaser), so the
/// cache may briefly exceed its bound under heavy concurrency but never closes a handle mid-operation.
/// </summary>
public sealed partial class TorrentStorage
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, OpenFile> _open = [];
    private readonly LinkedList<OpenFile> _lru = new();
    private readonly int _maxOpen;
    private bool _disposed;

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

    /// <summary>Leases a handle for writing, creating folders and the file if needed.</summary>
    private HandleLease Acquire(int fileIndex) => AcquireCore(fileIndex, create: !ReadOnly, missingIsError: true);

    /// <summary>Leases a handle for reading; a missing file gives a lease with a null handle (unless seeding).</summary>
    private HandleLease TryAcquireForRead(int fileIndex) => AcquireCore(fileIndex, create: false, missingIsError: ReadOnly);

    private HandleLease AcquireCore(int fileIndex, bool create, bool missingIsError)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_open.TryGetValue(fileIndex, out OpenFile? hit))
            {
                hit.Users++;
                _lru.Remove(hit.Node);
                _lru.AddFirst(hit.Node);
                return new HandleLease(hit, fileIndex);
            }
        }

        // Open outside the lock: opening can be slow (network drives) and must not stall other files.
        SafeFileHandle? handle = OpenHandle(fileIndex, create, missingIsError);
        if (handle is null)
        {
            return new HandleLease(null, fileIndex);
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
                return new HandleLease(raced, fileIndex);
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
        return new HandleLease(entry, fileIndex);
    }

    private void Release(HandleLease lease)
    {
        if (lease.File is null)
        {
            return;
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
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                return File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
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

    private void FlushAll()
    {
        List<HandleLease> leases = [];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (OpenFile f in _open.Values)
            {
                f.Users++;
                leases.Add(new HandleLease(f, f.FileIndex));
            }
        }
        try
        {
            foreach (HandleLease lease in leases)
            {
                try
                {
                    RandomAccess.FlushToDisk(lease.Handle!);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw StorageException.Wrap(ex, "flushing", _paths[lease.FileIndex]);
                }
            }
        }
        finally
        {
            foreach (HandleLease lease in leases)
            {
                Release(lease);
            }
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

        /// <summary>Set when the storage is disposed while leased; the last releaser closes the handle.</summary>
        public bool Closed { get; set; }

        public LinkedListNode<OpenFile> Node { get; set; } = null!;
    }

    private readonly record struct HandleLease(OpenFile? File, int FileIndex)
    {
        public SafeFileHandle? Handle => File?.Handle;
    }
}
