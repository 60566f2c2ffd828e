using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Storage;

/// <summary>One contiguous piece of a torrent byte range that lies in a single file.</summary>
/// <param name="FileIndex">Index into <see cref="TorrentMetainfo.Files"/>.</param>
/// <param name="FileOffset">Offset inside that file.</param>
/// <param name="BufferOffset">Offset of this segment inside the caller's range (0 for the first segment).</param>
/// <param name="Length">Length of the segment; never zero.</param>
/// <param name="IsPadding">True when the file is a BEP 47 pad file (never on disk, reads as zeros).</param>
public readonly record struct FileSegment(int FileIndex, long FileOffset, int BufferOffset, int Length, bool IsPadding);

/// <summary>
/// Maps torrent byte ranges to per-file segments. Zero-length files never appear in segments. Finding the first file
/// is a binary search over file start offsets, so a block costs O(log files) plus one step per file it touches.
/// Immutable and thread-safe.
/// </summary>
public sealed class FileLayout
{
    // Only non-empty files, in torrent order: _starts[i] is the torrent offset of file _fileIndex[i].
    private readonly long[] _starts;
    private readonly long[] _lengths;
    private readonly int[] _fileIndex;
    private readonly bool[] _padding;

    public FileLayout(IReadOnlyList<TorrentFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var starts = new List<long>(files.Count);
        var lengths = new List<long>(files.Count);
        var index = new List<int>(files.Count);
        var padding = new List<bool>(files.Count);
        long expected = 0;
        for (int i = 0; i < files.Count; i++)
        {
            TorrentFile f = files[i];
            if (f.Offset != expected || f.Length < 0)
            {
                throw new ArgumentException($"file {i} has offset {f.Offset}, expected {expected}", nameof(files));
            }
            expected += f.Length;
            if (f.Length == 0)
            {
                continue;
            }
            starts.Add(f.Offset);
            lengths.Add(f.Length);
            index.Add(i);
            padding.Add(f.IsPadding);
        }
        _starts = [.. starts];
        _lengths = [.. lengths];
        _fileIndex = [.. index];
        _padding = [.. padding];
        TotalLength = expected;
    }

    /// <summary>Sum of all file lengths, pad files included.</summary>
    public long TotalLength { get; }

    /// <summary>
    /// Splits [<paramref name="torrentOffset"/>, +<paramref name="length"/>) into file segments, in order.
    /// Allocation-free when enumerated with foreach.
    /// </summary>
    public SegmentEnumerable Map(long torrentOffset, int length)
    {
        if (torrentOffset < 0 || length < 0 || torrentOffset + length > TotalLength)
        {
            throw new ArgumentOutOfRangeException(nameof(torrentOffset),
                $"range {torrentOffset}+{length} is outside the torrent's {TotalLength} bytes");
        }
        return new SegmentEnumerable(this, torrentOffset, length);
    }

    /// <summary>Convenience for tests and diagnostics: the segments as a list.</summary>
    public List<FileSegment> MapToList(long torrentOffset, int length)
    {
        var list = new List<FileSegment>();
        foreach (FileSegment s in Map(torrentOffset, length))
        {
            list.Add(s);
        }
        return list;
    }

    /// <summary>Index into the non-empty file table of the file holding <paramref name="offset"/>.</summary>
    private int FindSlot(long offset)
    {
        int i = Array.BinarySearch(_starts, offset);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>Allocation-free enumerable over the segments of a range.</summary>
    public readonly struct SegmentEnumerable(FileLayout layout, long offset, int length)
    {
        public Enumerator GetEnumerator() => new(layout, offset, length);
    }

    /// <summary>Walks the files covering a range, starting at the binary-searched first file.</summary>
    public struct Enumerator
    {
        private readonly FileLayout _layout;
        private readonly long _start;
        private readonly int _length;
        private int _slot;
        private int _done;

        internal Enumerator(FileLayout layout, long start, int length)
        {
            _layout = layout;
            _start = start;
            _length = length;
            _slot = length == 0 ? -1 : layout.FindSlot(start) - 1;
            _done = 0;
            Current = default;
        }

        public FileSegment Current { get; private set; }

        public bool MoveNext()
        {
            if (_done >= _length || _slot < -1)
            {
                return false;
            }
            _slot++;
            FileLayout l = _layout;
            long pos = _start + _done;
            long inFile = pos - l._starts[_slot];
            int take = (int)Math.Min(_length - _done, l._lengths[_slot] - inFile);
            Current = new FileSegment(l._fileIndex[_slot], inFile, _done, take, l._padding[_slot]);
            _done += take;
            return true;
        }
    }
}
