using System.IO.MemoryMappedFiles;

namespace Shoal.Engine.Storage;

public sealed partial class TorrentStorage
{
    /// <summary>
    /// Maps [<paramref name="fileOffset"/>, +<paramref name="length"/>) of file <paramref name="fileIndex"/>
    /// read-only, for hashing straight from the page cache. Returns null when the file is missing or (by fstat, now)
    /// shorter than the range, so a mapping never covers bytes past the end of the file as it is at this moment.
    /// The caller must dispose the range promptly (it pins address space and page-cache pages).
    /// </summary>
    internal MappedRange? TryMapForRead(int fileIndex, long fileOffset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        HandleLease lease = TryAcquireForRead(fileIndex);
        if (lease.Handle is null)
        {
            return null;
        }
        try
        {
            if (RandomAccess.GetLength(lease.Handle) < fileOffset + length)
            {
                return null;
            }
            // leaveOpen: the handle belongs to the LRU; the kernel keeps the mapping valid after the fd closes.
            var file = MemoryMappedFile.CreateFromFile(lease.Handle, null, 0, MemoryMappedFileAccess.Read,
                HandleInheritability.None, leaveOpen: true);
            try
            {
                return new MappedRange(file, file.CreateViewAccessor(fileOffset, length, MemoryMappedFileAccess.Read), length);
            }
            catch
            {
                file.Dispose();
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
