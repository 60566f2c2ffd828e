using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>
/// Which block to ask which peer for: finish started pieces first, then the rarest piece the peer has (random among
/// equals), and in endgame (nothing left unrequested) blocks already asked of someone else. Owned by the torrent loop.
/// </summary>
internal sealed class BlockPicker
{
    private readonly TorrentLengths _lengths;
    private readonly BitField _have;
    private readonly int[] _availability;
    private readonly Dictionary<int, ActivePiece> _active = [];
    private readonly List<int> _activeOrder = [];
    private int _unstartedMissing;

    public BlockPicker(TorrentLengths lengths, BitField have)
    {
        _lengths = lengths;
        _have = have;
        _availability = new int[lengths.PieceCount];
        _unstartedMissing = lengths.PieceCount - have.CountSet;
    }

    /// <summary>A piece being downloaded: per-block request counts and arrival.</summary>
    internal sealed class ActivePiece(int index, int blocks)
    {
        public int Index { get; } = index;
        public byte[] Requests { get; } = new byte[blocks];
        public bool[] Received { get; } = new bool[blocks];
        public int ReceivedCount { get; set; }
        public int PendingWrites { get; set; }
        public int FirstFree { get; set; }
        public HashSet<PeerState> Contributors { get; } = [];
        public bool AllReceived => ReceivedCount == Received.Length;
    }

    public int ActiveCount => _active.Count;

    public bool InEndgame => _unstartedMissing == 0;

    public int Availability(int piece) => _availability[piece];

    public void PeerHas(int piece) => _availability[piece]++;

    public void PeerHasAll(BitField bits)
    {
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                _availability[i]++;
            }
        }
    }

    public void PeerGone(BitField bits)
    {
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i])
            {
                _availability[i]--;
            }
        }
    }

    public ActivePiece? Active(int piece) => _active.GetValueOrDefault(piece);

    /// <summary>
    /// Adds up to <paramref name="max"/> requests for <paramref name="peer"/> to <paramref name="output"/>.
    /// </summary>
    public void Pick(PeerState peer, int max, List<(int Piece, int Block)> output, Random random)
    {
        var has = peer.Has;
        // 1. Started pieces the peer has, oldest first (finish pieces so they can be verified and shared).
        foreach (int p in _activeOrder)
        {
            if (output.Count >= max)
            {
                return;
            }
            if (has[p])
            {
                TakeFree(_active[p], peer, max, output, endgame: false);
            }
        }
        // 2. New pieces, rarest first.
        while (output.Count < max && _unstartedMissing > 0)
        {
            int piece = RarestUnstarted(has, random);
            if (piece < 0)
            {
                break;
            }
            var ap = new ActivePiece(piece, _lengths.BlockCount(piece));
            _active.Add(piece, ap);
            _activeOrder.Add(piece);
            _unstartedMissing--;
            TakeFree(ap, peer, max, output, endgame: false);
        }
        // 3. Endgame: duplicate outstanding requests, at most twice per block.
        if (output.Count < max && _unstartedMissing == 0)
        {
            foreach (int p in _activeOrder)
            {
                if (output.Count >= max)
                {
                    return;
                }
                if (has[p])
                {
                    TakeFree(_active[p], peer, max, output, endgame: true);
                }
            }
        }
    }

    private void TakeFree(ActivePiece ap, PeerState peer, int max, List<(int, int)> output, bool endgame)
    {
        int blocks = ap.Requests.Length;
        int start = endgame ? 0 : ap.FirstFree;
        for (int b = start; b < blocks && output.Count < max; b++)
        {
            if (ap.Received[b])
            {
                continue;
            }
            if (!endgame)
            {
                if (ap.Requests[b] == 0)
                {
                    ap.Requests[b] = 1;
                    output.Add((ap.Index, b));
                }
            }
            else if (ap.Requests[b] < 2 && !peer.HasOutstanding(ap.Index, b * TorrentLengths.BlockSize))
            {
                ap.Requests[b]++;
                output.Add((ap.Index, b));
            }
        }
        if (!endgame)
        {
            while (ap.FirstFree < blocks && (ap.Requests[ap.FirstFree] != 0 || ap.Received[ap.FirstFree]))
            {
                ap.FirstFree++;
            }
        }
    }

    private int RarestUnstarted(BitField has, Random random)
    {
        int n = _lengths.PieceCount;
        int start = random.Next(n);
        int best = -1, bestAvail = int.MaxValue;
        for (int k = 0; k < n; k++)
        {
            int i = start + k;
            if (i >= n)
            {
                i -= n;
            }
            if (has[i] && !_have[i] && !_active.ContainsKey(i) && _availability[i] < bestAvail)
            {
                best = i;
                bestAvail = _availability[i];
                if (bestAvail <= 1)
                {
                    break;
                }
            }
        }
        return best;
    }

    /// <summary>A request we made will not be answered (peer choked us or left).</summary>
    public void Released(int piece, int block)
    {
        if (_active.TryGetValue(piece, out var ap) && !ap.Received[block] && ap.Requests[block] > 0)
        {
            ap.Requests[block]--;
            if (ap.Requests[block] == 0 && block < ap.FirstFree)
            {
                ap.FirstFree = block;
            }
        }
    }

    /// <summary>Records an arrived block. Returns the active piece if the block was wanted, else null.</summary>
    public ActivePiece? Received(int piece, int block)
    {
        if (!_active.TryGetValue(piece, out var ap) || ap.Received[block])
        {
            return null;
        }
        ap.Received[block] = true;
        ap.ReceivedCount++;
        return ap;
    }

    /// <summary>The piece verified: it leaves the active set for good.</summary>
    public void Verified(int piece)
    {
        _active.Remove(piece);
        _activeOrder.Remove(piece);
        _have[piece] = true;
    }

    /// <summary>The piece failed its hash: forget every block so it is fetched again.</summary>
    public void Failed(int piece)
    {
        _active.Remove(piece);
        _activeOrder.Remove(piece);
        _unstartedMissing++;
    }
}
