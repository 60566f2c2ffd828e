namespace Shoal.Engine.Storage;

public sealed partial class TorrentStorage
{
    /// <summary>
    /// Largest write handed to the kernel at once: one block. A write call larger than this makes the page cache
    /// allocate large folios, and on a VM whose balloon reports free memory back to the host (this benchmark machine)
    /// those come from pages the host has dropped, so every first touch faults in the hypervisor: a 1 GiB download
    /// spent 1.7 to 2.3 s of system time in 1 MiB writes and 0.85 to 1.1 s in 16 KiB ones (bench/swarm, same run).
    /// One syscall per block costs about 64k calls per GiB, a few hundredths of a second.
    /// </summary>
    internal const int MaxWriteBytes = 16 * 1024;

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
        // Where the next unwritten byte lies: buffers[bufferIndex] at inBuffer.
        int bufferIndex = 0;
        int inBuffer = 0;
        ReadOnlySpan<byte> Next(int max)
        {
            ReadOnlyMemory<byte> b = buffers[bufferIndex];
            int take = Math.Min(max, b.Length - inBuffer);
            ReadOnlySpan<byte> slice = b.Span.Slice(inBuffer, take);
            inBuffer += take;
            if (inBuffer == b.Length)
            {
                bufferIndex++;
                inBuffer = 0;
            }
            return slice;
        }

        foreach (FileSegment seg in Layout.Map(torrentOffset, total))
        {
            if (seg.IsPadding)
            {
                for (int skipped = 0; skipped < seg.Length;)
                {
                    skipped += Next(seg.Length - skipped).Length;
                }
                continue;
            }
            HandleLease lease = Acquire(seg.FileIndex);
            try
            {
                lock (lease.File!.WriteGate)
                {
                    for (int written = 0; written < seg.Length;)
                    {
                        ReadOnlySpan<byte> slice = Next(Math.Min(MaxWriteBytes, seg.Length - written));
                        RandomAccess.Write(lease.Handle!, slice, seg.FileOffset + written);
                        written += slice.Length;
                    }
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
}
