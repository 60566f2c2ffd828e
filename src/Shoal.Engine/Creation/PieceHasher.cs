using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Shoal.Engine.Creation;

/// <summary>
/// Hashes the concatenation of a file list into v1 piece hashes on every core. The piece range is cut into one
/// contiguous slice per worker so each worker reads sequentially (kernel read-ahead keeps working) with large
/// positional reads into its own pooled buffer holding whole pieces; a piece that spans files is simply read
/// across the boundary. Each worker writes only its own 20-byte slots of the result, so no locks are needed.
/// </summary>
public static class PieceHasher
{
    /// <summary>Bytes read per system call (rounded down to whole pieces, at least one piece).</summary>
    public const int DefaultReadSize = 4 * 1024 * 1024;

    /// <summary>Returns the concatenated 20-byte SHA-1 of each piece.</summary>
    public static byte[] Hash(IReadOnlyList<SourceFile> files, int pieceLength, CreationProgress? progress = null,
        int? workers = null, int readSize = DefaultReadSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieceLength);
        var starts = new long[files.Count];
        long total = 0;
        for (int i = 0; i < files.Count; i++)
        {
            starts[i] = total;
            total += files[i].Length;
        }
        if (total == 0)
        {
            throw new TorrentCreationException("nothing to hash: the total size is zero");
        }
        long pieceCountLong = (total + pieceLength - 1) / pieceLength;
        if (pieceCountLong > int.MaxValue / 20)
        {
            throw new TorrentCreationException($"too many pieces ({pieceCountLong}); choose a larger piece size");
        }
        int pieceCount = (int)pieceCountLong;
        var pieces = new byte[pieceCount * 20];
        int workerCount = Math.Clamp(workers ?? Environment.ProcessorCount, 1, pieceCount);
        int piecesPerRead = Math.Max(1, readSize / pieceLength);
        var job = new Job(files, starts, total, pieceLength, piecesPerRead, pieces, progress);

        if (workerCount == 1)
        {
            job.HashSlice(0, pieceCount, cancellationToken);
            return pieces;
        }
        var threads = new Thread[workerCount];
        var errors = new Exception?[workerCount];
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        for (int w = 0; w < workerCount; w++)
        {
            int first = (int)((long)pieceCount * w / workerCount);
            int end = (int)((long)pieceCount * (w + 1) / workerCount);
            int index = w;
            // Dedicated threads: the work is long, CPU-bound and blocking, which the thread pool handles poorly.
            threads[w] = new Thread(() =>
            {
                try
                {
                    job.HashSlice(first, end, failed.Token);
                }
                catch (Exception ex)
                {
                    errors[index] = ex;
                    failed.Cancel();
                }
            })
            { IsBackground = true, Name = $"shoal-hash-{w}" };
            threads[w].Start();
        }
        foreach (var t in threads)
        {
            t.Join();
        }
        cancellationToken.ThrowIfCancellationRequested();
        var firstError = errors.FirstOrDefault(e => e is not null and not OperationCanceledException)
            ?? errors.FirstOrDefault(e => e is not null);
        if (firstError is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(firstError);
        }
        return pieces;
    }

    private sealed class Job(IReadOnlyList<SourceFile> files, long[] starts, long total, int pieceLength,
        int piecesPerRead, byte[] pieces, CreationProgress? progress)
    {
        public void HashSlice(int firstPiece, int endPiece, CancellationToken ct)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(piecesPerRead * pieceLength);
            var reader = new ConcatReader(files, starts);
            try
            {
                for (int p = firstPiece; p < endPiece; p += piecesPerRead)
                {
                    ct.ThrowIfCancellationRequested();
                    int n = Math.Min(piecesPerRead, endPiece - p);
                    long offset = (long)p * pieceLength;
                    int length = (int)Math.Min((long)n * pieceLength, total - offset);
                    reader.ReadExactly(offset, buffer.AsSpan(0, length));
                    for (int i = 0; i < n; i++)
                    {
                        int begin = i * pieceLength;
                        int size = Math.Min(pieceLength, length - begin);
                        SHA1.HashData(buffer.AsSpan(begin, size), pieces.AsSpan((p + i) * 20, 20));
                    }
                    progress?.Add(length);
                }
            }
            finally
            {
                reader.Dispose();
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads byte ranges of the concatenated files, keeping one file open at a time.</summary>
    private sealed class ConcatReader(IReadOnlyList<SourceFile> files, long[] starts) : IDisposable
    {
        private SafeFileHandle? _handle;
        private int _open = -1;

        public void ReadExactly(long offset, Span<byte> destination)
        {
            int fi = FileAt(offset);
            while (!destination.IsEmpty)
            {
                var file = files[fi];
                long inner = offset - starts[fi];
                int want = (int)Math.Min(destination.Length, file.Length - inner);
                if (want > 0)
                {
                    var handle = Open(fi);
                    int got = 0;
                    while (got < want)
                    {
                        int r = RandomAccess.Read(handle, destination.Slice(got, want - got), inner + got);
                        if (r == 0)
                        {
                            throw new IOException($"'{file.FullPath}' shrank while it was being hashed");
                        }
                        got += r;
                    }
                    destination = destination[want..];
                    offset += want;
                }
                fi++;
                if (!destination.IsEmpty && fi >= files.Count)
                {
                    throw new IOException("files ended before the expected total length");
                }
            }
        }

        // The last file whose start is at or before the offset and which is not empty.
        private int FileAt(long offset)
        {
            int lo = 0, hi = files.Count - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) >>> 1;
                if (starts[mid] <= offset)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }
            while (lo < files.Count - 1 && starts[lo] + files[lo].Length <= offset)
            {
                lo++;
            }
            return lo;
        }

        private SafeFileHandle Open(int index)
        {
            if (_open != index)
            {
                _handle?.Dispose();
                _handle = null;
                _handle = File.OpenHandle(files[index].FullPath, FileMode.Open, FileAccess.Read, FileShare.Read,
                    FileOptions.SequentialScan);
                _open = index;
            }
            return _handle!;
        }

        public void Dispose() => _handle?.Dispose();
    }
}
