namespace Shoal.Engine.Storage;

public static partial class PieceVerifier
{
    /// <summary>Segments shorter than this are read into the buffer even when mapping: a map costs two syscalls.</summary>
    private const int MinMapBytes = 256 * 1024;

    /// <summary>
    /// Hashes pieces [first, end): each stretch of present pieces is streamed through <paramref name="hasher"/>,
    /// either read <paramref name="buffer"/>-sized chunk by chunk (the chunk stays in cache between the copy and the
    /// hash) or hashed straight from mapped views of the files. Returns the number of pieces found valid.
    /// </summary>
    internal static int CheckRun(TorrentStorage storage, bool[] present, RunHasher hasher, Span<byte> buffer,
        int first, int end, CheckReadMode mode)
    {
        int good = hasher.Good;
        int p = first;
        while (p < end)
        {
            if (!present[p])
            {
                p++;
                continue;
            }
            int stop = p;
            while (stop < end && present[stop])
            {
                stop++;
            }
            hasher.Begin(p, stop);
            long offset = storage.Lengths.PieceOffset(p);
            if (mode == CheckReadMode.MemoryMap)
            {
                HashMapped(storage, hasher, buffer, offset);
            }
            else
            {
                HashRead(storage, hasher, buffer, offset);
            }
            p = stop;
        }
        return hasher.Good - good;
    }

    /// <summary>Streams the stretch through a small buffer; a short read ends it (the rest stays invalid).</summary>
    private static void HashRead(TorrentStorage storage, RunHasher hasher, Span<byte> buffer, long offset) =>
        HashReadRange(storage, hasher, buffer, offset, hasher.Remaining);

    private static void HashMapped(TorrentStorage storage, RunHasher hasher, Span<byte> buffer, long offset)
    {
        bool absent = false;
        foreach (FileSegment seg in storage.Layout.Map(offset, checked((int)hasher.Remaining)))
        {
            if (seg.IsPadding)
            {
                hasher.FeedZeros(seg.Length);
                continue;
            }
            MappedRange? range = seg.Length < MinMapBytes
                ? null
                : storage.TryMapForRead(seg.FileIndex, seg.FileOffset, seg.Length, out absent);
            if (absent)
            {
                hasher.Abandon();
                return;
            }
            if (range is null)
            {
                // Small, or not all in the page cache: read it like HashRead, ending exactly at the segment's end.
                if (!HashReadRange(storage, hasher, buffer, offset + seg.BufferOffset, seg.Length))
                {
                    return;
                }
                continue;
            }
            using (range)
            {
                hasher.Feed(range.Span);
            }
        }
    }

    /// <summary>Streams [offset, +length) through the buffer; false (stretch abandoned) when the data ran out.</summary>
    private static bool HashReadRange(TorrentStorage storage, RunHasher hasher, Span<byte> buffer, long offset, long length)
    {
        while (length > 0)
        {
            int want = (int)Math.Min(buffer.Length, length);
            int got = storage.Read(offset, buffer[..want]);
            hasher.Feed(buffer[..got]);
            if (got < want)
            {
                hasher.Abandon();
                return false;
            }
            offset += got;
            length -= got;
        }
        return true;
    }
}
