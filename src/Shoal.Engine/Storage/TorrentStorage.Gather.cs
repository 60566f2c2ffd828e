using Microsoft.Win32.SafeHandles;

namespace Shoal.Engine.Storage;

public sealed partial class TorrentStorage
{
    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_gather;

    /// <summary>
    /// Largest write handed to the kernel at once: one block. A write call larger than this makes the page cache
    /// allocate large folios, and on a VM whose balloon reports free memory back to the host (this benchmark machine)
    /// those come from pages the host has dropped, so every first touch faults in the hypervisor: a 1 GiB download
    /// spent 1.7 to 2.3 s of system time in 1 MiB writes and 0.85 to 1.1 s in 16 KiB ones (bench/swarm, same run).
    /// One syscall per block costs about 64k calls per GiB, a few hundredths of a second.
    /// </summary>
    internal const int MaxWriteBytes = 16 * 1024;

    private static void WriteChunked(SafeFileHandle handle, List<ReadOnlyMemory<byte>> parts, long offset)
    {
        foreach (ReadOnlyMemory<byte> part in parts)
        {
            for (int done = 0; done < part.Length; done += MaxWriteBytes)
            {
                int n = Math.Min(MaxWriteBytes, part.Length - done);
                RandomAccess.Write(handle, part.Span.Slice(done, n), offset);
                offset += n;
            }
        }
    }

    /// <summary>
    /// Writes consecutive buffers as one range starting at <paramref name="torrentOffset"/>, split across the files
    /// it touches, in write calls of at most <see cref="MaxWriteBytes"/>, one file at a time (see
    /// <c>OpenFile.WriteGate</c>). Used for a whole piece held in memory. Pad-file parts are skipped.
    /// </summary>
    public void WriteGather(long torrentOffset, IReadOnlyList<ReadOnlyMemory<byte>> buffers)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        ThrowIfReadOnly();
        int total = 0;
        for (int i = 0; i < buffers.Count; i++)
        {
            total += buffers[i].Length;
        }
        List<ReadOnlyMemory<byte>> parts = t_gather ??= new List<ReadOnlyMemory<byte>>(64);
        int bufferIndex = 0;
        int inBuffer = 0;
        foreach (FileSegment seg in Layout.Map(torrentOffset, total))
        {
            // Collect the slices of the buffers that make up this segment.
            parts.Clear();
            int need = seg.Length;
            while (need > 0)
            {
                ReadOnlyMemory<byte> b = buffers[bufferIndex];
                int take = Math.Min(need, b.Length - inBuffer);
                parts.Add(b.Slice(inBuffer, take));
                need -= take;
                inBuffer += take;
                if (inBuffer == b.Length)
                {
                    bufferIndex++;
                    inBuffer = 0;
                }
            }
            if (seg.IsPadding)
            {
                continue;
            }
            HandleLease lease = Acquire(seg.FileIndex);
            try
            {
                lock (lease.File!.WriteGate)
                {
                    WriteChunked(lease.Handle!, parts, seg.FileOffset);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw StorageException.Wrap(ex, "writing", _paths[seg.FileIndex]);
            }
            finally
            {
                Release(lease);
                parts.Clear();
            }
        }
    }
}
