namespace Shoal.Engine.Storage;

public sealed partial class TorrentStorage
{
    [ThreadStatic]
    private static List<ReadOnlyMemory<byte>>? t_gather;

    /// <summary>
    /// Writes consecutive buffers as one range starting at <paramref name="torrentOffset"/>: one vectored write
    /// (pwritev) per file the range touches, instead of one write per buffer. Used for a whole piece held in
    /// memory. Pad-file parts are skipped.
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
                RandomAccess.Write(lease.Handle!, parts, seg.FileOffset);
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
