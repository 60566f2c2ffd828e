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
    private static void HashRead(TorrentStorage storage, RunHasher hasher, Span<byte> buffer, long offset)
    {
        while (hasher.Remaining > 0)
        {
            int want = (int)Math.Min(buffer.Length, hasher.Remaining);
            int got = storage.Read(offset, buffer[..want]);
            hasher.Feed(buffer[..got]);
            if (got < want)
            {
                hasher.Abandon();
                return;
            }
            offset += got;
        }
    }

    private static void HashMapped(TorrentStorage storage, RunHasher hasher, Span<byte> buffer, long offset)
    {
        foreach (FileSegment seg in storage.Layout.Map(offset, checked((int)hasher.Remaining)))
        {
            if (seg.IsPadding)
            {
                hasher.FeedZeros(seg.Length);
                continue;
            }
            if (seg.Length < MinMapBytes)
            {
                // Small segment: same as HashRead, but it must end exactly at the segment's end.
                long at = offset + seg.BufferOffset;
                int left = seg.Length;
                while (left > 0)
                {
                    int want = Math.Min(buffer.Length, left);
                    int got = storage.Read(at, buffer[..want]);
                    hasher.Feed(buffer[..got]);
                    if (got < want)
                    {
                        hasher.Abandon();
                        return;
                    }
                    at += got;
                    left -= got;
                }
                continue;
            }
            using MappedRange? range = storage.TryMapForRead(seg.FileIndex, seg.FileOffset, seg.Length);
            if (range is null)
            {
                hasher.Abandon();
                return;
            }
            hasher.Feed(range.Span);
        }
    }
}
