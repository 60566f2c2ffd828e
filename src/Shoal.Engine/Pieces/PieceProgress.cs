using Shoal.Protocol;

namespace Shoal.Engine.Pieces;

/// <summary>
/// Block bookkeeping for one piece being downloaded: which blocks are received, and which peers have which blocks
/// requested (more than one only in endgame). Owned by <see cref="PiecePicker"/>; not thread-safe.
/// </summary>
public sealed class PieceProgress
{
    private readonly bool[] _received;
    private readonly byte[] _requestCount;
    private readonly List<(int Block, int Peer)> _requests = [];

    internal PieceProgress(int piece, int blockCount)
    {
        Piece = piece;
        _received = new bool[blockCount];
        _requestCount = new byte[blockCount];
        UnrequestedCount = blockCount;
    }

    public int Piece { get; }

    public int BlockCount => _received.Length;

    public int ReceivedCount { get; private set; }

    /// <summary>Blocks neither received nor requested from anyone.</summary>
    public int UnrequestedCount { get; private set; }

    public bool IsComplete => ReceivedCount == _received.Length;

    public bool IsReceived(int block) => _received[block];

    public int RequestCount(int block) => _requestCount[block];

    internal bool IsRequestedBy(int block, int peer)
    {
        foreach ((int b, int p) in _requests)
        {
            if (b == block && p == peer)
            {
                return true;
            }
        }
        return false;
    }

    internal void AddRequest(int block, int peer)
    {
        if (_requestCount[block] == 0)
        {
            UnrequestedCount--;
        }
        _requestCount[block]++;
        _requests.Add((block, peer));
    }

    internal bool RemoveRequest(int block, int peer)
    {
        int i = _requests.IndexOf((block, peer));
        if (i < 0)
        {
            return false;
        }
        _requests.RemoveAt(i);
        DropCount(block);
        return true;
    }

    /// <summary>Removes every request by <paramref name="peer"/>; returns how many.</summary>
    internal int RemovePeer(int peer)
    {
        int removed = 0;
        for (int i = _requests.Count - 1; i >= 0; i--)
        {
            if (_requests[i].Peer == peer)
            {
                DropCount(_requests[i].Block);
                _requests.RemoveAt(i);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>Marks a block received; returns the other peers that still had it requested (for cancels).</summary>
    internal IReadOnlyList<int> MarkReceived(int block, int fromPeer)
    {
        List<int>? others = null;
        for (int i = _requests.Count - 1; i >= 0; i--)
        {
            if (_requests[i].Block == block)
            {
                if (_requests[i].Peer != fromPeer)
                {
                    (others ??= []).Add(_requests[i].Peer);
                }
                _requests.RemoveAt(i);
            }
        }
        if (_requestCount[block] == 0)
        {
            UnrequestedCount--;
        }
        _requestCount[block] = 0;
        _received[block] = true;
        ReceivedCount++;
        return (IReadOnlyList<int>?)others ?? [];
    }

    /// <summary>Forgets everything (hash failure): every block must be fetched again.</summary>
    internal void Reset()
    {
        Array.Clear(_received);
        Array.Clear(_requestCount);
        _requests.Clear();
        ReceivedCount = 0;
        UnrequestedCount = _received.Length;
    }

    /// <summary>Marks a block as received without a request (restoring resume data).</summary>
    internal void RestoreReceived(int block)
    {
        if (_received[block])
        {
            return;
        }
        if (_requestCount[block] == 0)
        {
            UnrequestedCount--;
        }
        _received[block] = true;
        ReceivedCount++;
    }

    private void DropCount(int block)
    {
        _requestCount[block]--;
        if (_requestCount[block] == 0 && !_received[block])
        {
            UnrequestedCount++;
        }
    }

    internal static int BlockIndex(int begin) => begin / TorrentLengths.BlockSize;
}
