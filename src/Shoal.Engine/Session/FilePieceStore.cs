using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Session;

/// <summary>
/// Positional file I/O for a torrent's files (RandomAccess), laid out as DIR/name for a single-file torrent and
/// DIR/name/path for a multi-file one. Pad files are never written; reads of them give zeros.
/// </summary>
internal sealed class FilePieceStore : IPieceStore
{
    private readonly TorrentMetainfo _meta;
    private readonly string[] _paths;
    private readonly SafeFileHandle?[] _handles;
    private readonly Lock _open = new();
    private readonly bool _readOnly;

    public FilePieceStore(TorrentMetainfo meta, string directory, bool readOnly = false)
    {
        _meta = meta;
        _readOnly = readOnly;
        string root = Path.GetFullPath(directory);
        _paths = meta.Files.Select(f => meta.IsMultiFile
            ? Path.Combine([root, meta.Name, .. f.PathComponents])
            : Path.Combine(root, meta.Name)).ToArray();
        _handles = new SafeFileHandle?[_paths.Length];
    }

    public ValueTask WriteBlockAsync(int piece, int begin, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        long offset = _meta.Lengths.PieceOffset(piece) + begin;
        foreach (var (file, fileOffset, start, count) in Spans(offset, data.Length))
        {
            if (_meta.Files[file].IsPadding)
            {
                continue;
            }
            RandomAccess.Write(Handle(file, write: true)!, data.Span.Slice(start, count), fileOffset);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask ReadBlockAsync(int piece, int begin, Memory<byte> destination, CancellationToken ct)
    {
        long offset = _meta.Lengths.PieceOffset(piece) + begin;
        foreach (var (file, fileOffset, start, count) in Spans(offset, destination.Length))
        {
            var dest = destination.Span.Slice(start, count);
            var handle = _meta.Files[file].IsPadding ? null : Handle(file, write: !_readOnly);
            if (handle is null)
            {
                dest.Clear();
                continue;
            }
            int read = 0;
            while (read < count)
            {
                int n = RandomAccess.Read(handle, dest[read..], fileOffset + read);
                if (n == 0)
                {
                    dest[read..].Clear();
                    break;
                }
                read += n;
            }
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<bool> VerifyPieceAsync(int piece, CancellationToken ct)
    {
        int size = _meta.Lengths.PieceSize(piece);
        byte[] buf = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            await ReadBlockAsync(piece, 0, buf.AsMemory(0, size), ct).ConfigureAwait(false);
            Span<byte> hash = stackalloc byte[20];
            SHA1.HashData(buf.AsSpan(0, size), hash);
            return hash.SequenceEqual(_meta.PieceHash(piece));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    public async Task<BitField> CheckExistingAsync(CancellationToken ct)
    {
        var have = new BitField(_meta.PieceCount);
        bool any = false;
        for (int i = 0; i < _paths.Length; i++)
        {
            any |= !_meta.Files[i].IsPadding && File.Exists(_paths[i]) && new FileInfo(_paths[i]).Length > 0;
        }
        if (!any)
        {
            return have;
        }
        var results = new bool[_meta.PieceCount];
        await Parallel.ForAsync(0, _meta.PieceCount, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, c) => results[i] = PieceFilesExist(i) && await VerifyPieceAsync(i, c).ConfigureAwait(false)).ConfigureAwait(false);
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i])
            {
                have[i] = true;
            }
        }
        return have;
    }

    public ValueTask FlushAsync(CancellationToken ct)
    {
        lock (_open)
        {
            for (int i = 0; i < _paths.Length && !_readOnly; i++)
            {
                // Empty files never get a write; create them so the layout is complete.
                if (_meta.Files[i].Length == 0 && !_meta.Files[i].IsPadding && !File.Exists(_paths[i]))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(_paths[i])!);
                    File.Create(_paths[i]).Dispose();
                }
            }
            foreach (var h in _handles)
            {
                if (h is not null && !h.IsInvalid && !_readOnly)
                {
                    RandomAccess.FlushToDisk(h);
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        lock (_open)
        {
            foreach (var h in _handles)
            {
                h?.Dispose();
            }
        }
        return ValueTask.CompletedTask;
    }

    private bool PieceFilesExist(int piece)
    {
        long start = _meta.Lengths.PieceOffset(piece);
        foreach (var (file, fileOffset, _, count) in Spans(start, _meta.Lengths.PieceSize(piece)))
        {
            if (!_meta.Files[file].IsPadding && (!File.Exists(_paths[file]) || new FileInfo(_paths[file]).Length < fileOffset + count))
            {
                return false;
            }
        }
        return true;
    }

    private SafeFileHandle? Handle(int file, bool write)
    {
        var h = Volatile.Read(ref _handles[file]);
        if (h is not null)
        {
            return h;
        }
        lock (_open)
        {
            if (_handles[file] is null)
            {
                if (!write && !File.Exists(_paths[file]))
                {
                    return null;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(_paths[file])!);
                _handles[file] = File.OpenHandle(_paths[file], write ? FileMode.OpenOrCreate : FileMode.Open,
                    write ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            return _handles[file];
        }
    }

    /// <summary>Splits a torrent-wide byte range into per-file pieces: (file, offset in file, offset in range, count).</summary>
    private IEnumerable<(int File, long FileOffset, int Start, int Count)> Spans(long offset, int length)
    {
        int done = 0;
        var files = _meta.Files;
        int i = FindFile(offset);
        while (done < length && i < files.Count)
        {
            var f = files[i];
            long inFile = offset + done - f.Offset;
            int count = (int)Math.Min(length - done, f.Length - inFile);
            if (count > 0)
            {
                yield return (i, inFile, done, count);
                done += count;
            }
            i++;
        }
    }

    private int FindFile(long offset)
    {
        var files = _meta.Files;
        int lo = 0, hi = files.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (files[mid].Offset <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        // Skip zero-length files sitting at the same offset.
        while (lo < files.Count - 1 && files[lo].Offset + files[lo].Length <= offset)
        {
            lo++;
        }
        return lo;
    }
}
