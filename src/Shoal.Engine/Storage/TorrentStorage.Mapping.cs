using System.IO.MemoryMappedFiles;

namespace Shoal.Engine.Storage;

public sealed partial class TorrentStorage
{
    /// <summary>
    /// Maps [<paramref name="fileOffset"/>, +<paramref name="length"/>) of file <paramref name="fileIndex"/>
    /// read-only, for hashing straight from the page cache. Returns null with <paramref name="absent"/> set when the
    /// file is missing or (by fstat, now) shorter than the range, so a mapping never covers bytes past the end of the
    /// file as it is at this moment. Returns null with <paramref name="absent"/> clear when the range is not wholly
    /// in the page cache (or that cannot be known): touching such pages through a mapping would turn a disk error, or
    /// a hole in a full tmpfs, into SIGBUS, so the caller reads those bytes instead. The caller must dispose the
    /// range promptly (it pins address space).
    /// </summary>
    internal MappedRange? TryMapForRead(int fileIndex, long fileOffset, int length, out bool absent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        absent = false;
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        HandleLease lease = TryAcquireForRead(fileIndex);
        if (lease.Handle is null)
        {
            absent = true;
            return null;
        }
        try
        {
            if (RandomAccess.GetLength(lease.Handle) < fileOffset + length)
            {
                absent = true;
                return null;
            }
            // leaveOpen: the handle belongs to the LRU; the kernel keeps the mapping valid after the fd closes.
            var file = MemoryMappedFile.CreateFromFile(lease.Handle, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: true);
            MappedRange? range = null;
            try
            {
                range = new MappedRange(file, file.CreateViewAccessor(fileOffset, length, MemoryMappedFileAccess.Read), length);
                if (range.IsResident())
                {
                    return range;
                }
                range.Dispose();
                return null;
            }
            catch
            {
                if (range is null)
                {
                    file.Dispose();
                }
                else
                {
                    range.Dispose();
                }
                throw;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw StorageException.Wrap(ex, "mapping", _paths[fileIndex]);
        }
        finally
        {
            Release(lease);
        }
    }
}

/// <summary>A read-only mapped file range from <see cref="TorrentStorage.TryMapForRead"/>; unmapped on dispose.</summary>
internal sealed unsafe class MappedRange : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;
    private bool _disposed;

    internal MappedRange(MemoryMappedFile file, MemoryMappedViewAccessor view, int length)
    {
        _file = file;
        _view = view;
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        // The view starts at a page boundary; PointerOffset is where the requested offset lies inside it.
        _start = p + view.PointerOffset;
        Length = length;
    }

    public int Length { get; }

    /// <summary>
    /// True when mincore(2) reports every page of the range resident in the page cache. Linux reports pages of a
    /// file this process could not open for writing as resident whatever their state, so for such files this is a
    /// best effort; false when the call fails.
    /// </summary>
    public bool IsResident()
    {
        long page = Environment.SystemPageSize;
        long start = (long)_start & ~(page - 1);
        long span = (long)_start + Length - start;
        int pages = (int)((span + page - 1) / page);
        Span<byte> vec = pages <= 2048 ? stackalloc byte[2048] : new byte[pages];
        fixed (byte* v = vec)
        {
            if (PageCache.MinCore((void*)start, (nuint)span, v) != 0)
            {
                return false;
            }
        }
        foreach (byte b in vec[..pages])
        {
            if ((b & 1) == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The mapped bytes. Valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new ReadOnlySpan<byte>(_start, Length);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}

/// <summary>mincore(2), to learn whether a mapped range can be touched without going to the disk.</summary>
internal static unsafe partial class PageCache
{
    [System.Runtime.InteropServices.LibraryImport("libc.so.6", EntryPoint = "mincore")]
    internal static partial int MinCore(void* addr, nuint length, byte* vec);
}
