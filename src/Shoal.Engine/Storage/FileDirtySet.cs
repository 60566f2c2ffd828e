using System.Collections.Concurrent;

namespace Shoal.Engine.Storage;

/// <summary>
/// The files written since the last <see cref="Take"/>, so flushing and resume capture cost O(files written), not
/// O(files in the torrent). Thread-safe: writers <see cref="Mark"/> from any disk worker, one consumer takes.
/// </summary>
/// <remarks>
/// Writers mark a file after its write returned, and <see cref="Take"/> clears a file's flag before the caller acts on
/// it (fsync, stat). So a write is either seen by the action that follows the take, or marks the file again for the
/// next one: no write is ever lost between two takes.
/// </remarks>
internal sealed class FileDirtySet(int fileCount)
{
    private readonly int[] _flags = new int[fileCount];
    private readonly ConcurrentQueue<int> _queue = new();

    /// <summary>True when no file is marked (a racy hint, for skipping work).</summary>
    public bool IsEmpty => _queue.IsEmpty;

    public void Mark(int fileIndex)
    {
        if (Interlocked.CompareExchange(ref _flags[fileIndex], 1, 0) == 0)
        {
            _queue.Enqueue(fileIndex);
        }
    }

    /// <summary>The marked files, in no particular order; their marks are cleared.</summary>
    public List<int> Take()
    {
        var taken = new List<int>(_queue.Count);
        while (_queue.TryDequeue(out int i))
        {
            Volatile.Write(ref _flags[i], 0);
            taken.Add(i);
        }
        return taken;
    }

    /// <summary>Marks again files whose action failed, so the next take retries them.</summary>
    public void MarkAll(IEnumerable<int> fileIndexes)
    {
        foreach (int i in fileIndexes)
        {
            Mark(i);
        }
    }
}
